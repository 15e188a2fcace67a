package io.proxywasm.spi.support;

import java.util.Arrays;

/**
 * A map from proxy-wasm context ids to values, for hosts and runtimes that track contexts: a
 * stream's callbacks look up its context many times per request, and a {@code HashMap<Integer,
 * ...>} allocates an {@code Integer} for every id over 127. Open addressing with linear probing and
 * backward-shift deletion. Id 0 (no context) and null values are not stored. Not thread-safe: a VM
 * is entered by one thread at a time.
 *
 * @param <V> the values
 */
public final class ContextMap<V> {
  private static final int FREE = 0;

  private int[] keys = new int[16];
  private Object[] values = new Object[16];
  private int size;

  /** Creates an empty map. */
  public ContextMap() {}

  /**
   * Returns the value of an id.
   *
   * @param key the context id
   * @return the value, or null if absent (always for 0)
   */
  @SuppressWarnings("unchecked")
  public V get(int key) {
    if (key == FREE) {
      return null;
    }
    int mask = keys.length - 1;
    for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
      int k = keys[i];
      if (k == key) {
        return (V) values[i];
      }
      if (k == FREE) {
        return null;
      }
    }
  }

  /**
   * Tells whether an id has a value.
   *
   * @param key the context id
   * @return true if present
   */
  public boolean containsKey(int key) {
    return get(key) != null;
  }

  /**
   * Maps an id to a value, replacing any value it had.
   *
   * @param key the context id, not 0
   * @param value the value, not null
   * @throws IllegalArgumentException for id 0 or a null value
   */
  public void put(int key, V value) {
    if (key == FREE || value == null) {
      throw new IllegalArgumentException("key 0 and null values are not stored");
    }
    if ((size + 1) * 4 > keys.length * 3) {
      grow();
    }
    int mask = keys.length - 1;
    for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
      if (keys[i] == key) {
        values[i] = value;
        return;
      }
      if (keys[i] == FREE) {
        keys[i] = key;
        values[i] = value;
        size++;
        return;
      }
    }
  }

  /**
   * Removes an id.
   *
   * @param key the context id
   * @return the value it had, or null
   */
  @SuppressWarnings("unchecked")
  public V remove(int key) {
    if (key == FREE) {
      return null;
    }
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (keys[i] != key) {
      if (keys[i] == FREE) {
        return null;
      }
      i = (i + 1) & mask;
    }
    V old = (V) values[i];
    // Shift back the entries of the same run that would no longer be found.
    int hole = i;
    for (int j = (i + 1) & mask; keys[j] != FREE; j = (j + 1) & mask) {
      int home = mix(keys[j]) & mask;
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        keys[hole] = keys[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = FREE;
    values[hole] = null;
    size--;
    return old;
  }

  /**
   * Returns the number of ids with a value.
   *
   * @return the size
   */
  public int size() {
    return size;
  }

  /**
   * Tells whether the map is empty.
   *
   * @return true if no id has a value
   */
  public boolean isEmpty() {
    return size == 0;
  }

  /**
   * Returns the values, in no particular order: a copy, safe to use while the map changes.
   *
   * @return the values
   */
  @SuppressWarnings("unchecked")
  public java.util.List<V> values() {
    java.util.List<V> out = new java.util.ArrayList<>(size);
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != FREE) {
        out.add((V) values[i]);
      }
    }
    return out;
  }

  private void grow() {
    int[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new int[oldKeys.length * 2];
    values = new Object[oldValues.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != FREE) {
        @SuppressWarnings("unchecked")
        V v = (V) oldValues[i];
        put(oldKeys[i], v);
      }
    }
  }

  private static int mix(int key) {
    int h = key * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  @Override
  public String toString() {
    return "ContextMap"
        + Arrays.toString(Arrays.stream(keys).filter(k -> k != FREE).sorted().toArray());
  }
}

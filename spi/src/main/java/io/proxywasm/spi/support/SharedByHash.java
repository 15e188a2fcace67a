package io.proxywasm.spi.support;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What a runtime made from a module (parsed, validated, translated code), shared by key across
 * every VM of the process for as long as any of them holds it: a second base VM of the same module
 * (another vm_id or VM configuration) reuses the first one's work instead of doing it again. The
 * value must be immutable. Not part of the SPI contract.
 *
 * @param <T> what is shared
 */
public final class SharedByHash<T> {
  private final Map<String, Entry<T>> shared = new ConcurrentHashMap<>();
  private final ReferenceQueue<T> cleared = new ReferenceQueue<>();
  private final Object[] locks = new Object[64];

  private static final class Entry<T> extends WeakReference<T> {
    final String key;

    Entry(String key, T value, ReferenceQueue<T> queue) {
      super(value, queue);
      this.key = key;
    }
  }

  /** Creates an empty set of shared values. */
  public SharedByHash() {
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
  }

  /**
   * Returns the value some VM still holds for a key, or makes it. Two threads asking for the same
   * key at once make it once; keys that differ do not wait for each other (but for the rare two
   * that share one of 64 locks).
   *
   * @param key the key, a module's hash with whatever else decides what is made from it
   * @param make makes the value; what it throws leaves nothing shared
   * @return the shared value
   */
  public T get(String key, Supplier<T> make) {
    Objects.requireNonNull(key, "key");
    expunge();
    T value = live(key);
    if (value != null) {
      return value;
    }
    synchronized (locks[Math.floorMod(key.hashCode(), locks.length)]) {
      value = live(key);
      if (value == null) {
        value = Objects.requireNonNull(make.get(), "made value");
        shared.put(key, new Entry<>(key, value, cleared));
      }
      return value;
    }
  }

  /** Forgets every shared value, as a restart would; for tests. */
  public void clear() {
    shared.clear();
  }

  private T live(String key) {
    Entry<T> entry = shared.get(key);
    return entry == null ? null : entry.get();
  }

  @SuppressWarnings("unchecked")
  private void expunge() {
    for (Object gone = cleared.poll(); gone != null; gone = cleared.poll()) {
      Entry<T> e = (Entry<T>) gone;
      shared.remove(e.key, e);
    }
  }

  /**
   * Returns the lower-case hex SHA-256 of some bytes.
   *
   * @param bytes the bytes
   * @return 64 hex digits
   */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}

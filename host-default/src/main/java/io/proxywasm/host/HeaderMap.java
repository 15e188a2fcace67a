package io.proxywasm.host;

import io.proxywasm.spi.Header;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An ordered, mutable multimap of HTTP header names to values, as a plugin sees it. Names are
 * stored in lower case, as Envoy stores them; lookups ignore ASCII case. Not thread-safe: a map
 * belongs to one stream, which the host never enters from two threads at once.
 *
 * <p>Header names and values are bytes in HTTP and in the proxy-wasm ABI. The strings here carry
 * one byte per char (ISO-8859-1), as Netty and Vert.x carry header values: a byte {@code 0xFF} a
 * plugin writes is the char {@code U+00FF}, and comes back to the plugin as {@code 0xFF}. A char
 * above {@code U+00FF} cannot be sent and reaches a plugin as {@code ?}; to pass UTF-8 text in a
 * header, give its bytes as chars ({@code new String(utf8Bytes, ISO_8859_1)}).
 */
public final class HeaderMap {
  /** The entries, each immutable, names in lower case. */
  private final List<Header> entries = new ArrayList<>();

  private final List<Header> view = java.util.Collections.unmodifiableList(entries);

  /** Creates an empty map. */
  public HeaderMap() {}

  /**
   * Creates a map holding the given pairs, in order.
   *
   * @param pairs name and value pairs
   * @return the map
   */
  public static HeaderMap of(List<Header> pairs) {
    HeaderMap map = new HeaderMap();
    for (Header e : pairs) {
      map.add(e.name(), e.value());
    }
    return map;
  }

  /**
   * Creates a map from alternating names and values.
   *
   * @param namesAndValues name, value, name, value...
   * @return the map
   */
  public static HeaderMap of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values must come in pairs");
    }
    HeaderMap map = new HeaderMap();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }

  private static String key(String name) {
    return lowerCase(Objects.requireNonNull(name, "name"));
  }

  /**
   * A header name as this map stores it: ASCII letters in lower case, as Envoy's {@code
   * LowerCaseString} makes them, every other char left as it is (whatever the default locale).
   *
   * @param name a header name
   * @return the name in lower case; the same string when it already is
   */
  public static String lowerCase(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (lowerCase(c) != c) {
        char[] chars = name.toCharArray();
        for (int j = i; j < chars.length; j++) {
          chars[j] = lowerCase(chars[j]);
        }
        return new String(chars);
      }
    }
    return name;
  }

  /**
   * One char of a header name as this map stores it: an ASCII letter in lower case, anything else
   * as it is (the rule of {@link #lowerCase(String)}).
   *
   * @param c a char of a header name
   * @return the char this map stores
   */
  public static char lowerCase(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }

  /**
   * Returns the number of entries.
   *
   * @return the size
   */
  public int size() {
    return entries.size();
  }

  /**
   * Returns the name of the entry at an index.
   *
   * @param index the index
   * @return the lower-case name
   */
  public String name(int index) {
    return entries.get(index).getKey();
  }

  /**
   * Returns the value of the entry at an index.
   *
   * @param index the index
   * @return the value
   */
  public String value(int index) {
    return entries.get(index).getValue();
  }

  /**
   * Returns the first value of a header.
   *
   * @param name the name, any case
   * @return the value, or empty
   */
  public Optional<String> get(String name) {
    int i = indexOf(name);
    return i < 0 ? Optional.empty() : Optional.of(value(i));
  }

  /**
   * Returns the index of the first entry with a name, for {@link #value(int)}; allocates nothing
   * when the name is already lower case.
   *
   * @param name the name, any case
   * @return the index, or -1 if absent
   */
  public int indexOf(String name) {
    String k = key(name);
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).getKey().equals(k)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Returns every value of a header, in order.
   *
   * @param name the name, any case
   * @return the values; empty if none
   */
  public List<String> getAll(String name) {
    String k = key(name);
    List<String> out = new ArrayList<>();
    for (Header e : entries) {
      if (e.name().equals(k)) {
        out.add(e.value());
      }
    }
    return out;
  }

  /**
   * Appends an entry.
   *
   * @param name the name; stored in lower case
   * @param value the value
   */
  public void add(String name, String value) {
    entries.add(Header.of(key(name), Objects.requireNonNull(value, "value")));
  }

  /**
   * Replaces every entry of a name with one entry, at the place of the first, or appends it.
   *
   * @param name the name
   * @param value the new value
   */
  public void set(String name, String value) {
    String k = key(name);
    Objects.requireNonNull(value, "value");
    int first = indexOf(k);
    if (first < 0) {
      add(k, value);
      return;
    }
    entries.set(first, Header.of(k, value));
    for (int i = entries.size() - 1; i > first; i--) {
      if (entries.get(i).getKey().equals(k)) {
        entries.remove(i);
      }
    }
  }

  /**
   * Removes every entry of a name.
   *
   * @param name the name
   * @return whether anything was removed
   */
  public boolean remove(String name) {
    String k = key(name);
    return entries.removeIf(e -> e.getKey().equals(k));
  }

  /**
   * Replaces all entries with the given pairs.
   *
   * @param pairs the new entries, in order
   */
  public void setAll(List<Header> pairs) {
    entries.clear();
    for (Header e : pairs) {
      add(e.name(), e.value());
    }
  }

  /** Removes every entry. */
  public void clear() {
    entries.clear();
  }

  /**
   * Returns the entries as an immutable list of pairs: a snapshot, which later changes to the map
   * do not affect. Cheap: the entries themselves are immutable and shared.
   *
   * @return the entries, in order
   */
  public List<Header> entries() {
    return List.copyOf(entries);
  }

  /**
   * Returns the entries as a read-only view that follows the map's changes: no copy, for reading
   * the map where a snapshot is not needed.
   *
   * @return the entries, in order
   */
  public List<Header> view() {
    return view;
  }

  /**
   * Returns the size Envoy reports for {@code proxy_get_header_map_size}: the sum of the lengths in
   * bytes of every name and value (one byte per char: see the class comment).
   *
   * @return the byte size
   */
  public long byteSize() {
    long total = 0;
    for (Header e : entries) {
      total += e.name().length();
      total += e.value().length();
    }
    return total;
  }

  @Override
  public String toString() {
    return entries.toString();
  }
}

package io.proxywasm.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP header, gRPC metadata entry or other name and value pair of the ABI's header maps.
 *
 * <p>Names and values carry one byte per char (ISO-8859-1), as the ABI carries bytes. A header is
 * also a {@link Map.Entry} (name as key), equal to any entry with the same name and value, so a
 * list of headers compares equal to a list of {@code Map.entry(name, value)}; it cannot be changed.
 *
 * @param name the header's name
 * @param value the header's value
 */
public record Header(String name, String value) implements Map.Entry<String, String> {

  /**
   * Creates a header.
   *
   * @param name the header's name
   * @param value the header's value
   * @throws NullPointerException if the name or the value is null
   */
  public Header {
    Objects.requireNonNull(name, "a header needs a name");
    Objects.requireNonNull(value, "a header needs a value (empty is allowed, null is not)");
  }

  /**
   * Creates a header.
   *
   * @param name the header's name
   * @param value the header's value
   * @return the header
   */
  public static Header of(String name, String value) {
    return new Header(name, value);
  }

  /**
   * Creates headers from alternating names and values.
   *
   * @param namesAndValues name, value, name, value...
   * @return the headers, in order, in a list that cannot be changed
   * @throws IllegalArgumentException if a name has no value
   */
  public static List<Header> list(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "headers come as name, value pairs; the last name ("
              + namesAndValues[namesAndValues.length - 1]
              + ") has no value");
    }
    List<Header> headers = new ArrayList<>(namesAndValues.length / 2);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(new Header(namesAndValues[i], namesAndValues[i + 1]));
    }
    return List.copyOf(headers);
  }

  /**
   * The header's name.
   *
   * @return {@link #name()}
   */
  @Override
  public String getKey() {
    return name;
  }

  /**
   * The header's value.
   *
   * @return {@link #value()}
   */
  @Override
  public String getValue() {
    return value;
  }

  /**
   * Headers cannot be changed: make a new one.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public String setValue(String value) {
    throw new UnsupportedOperationException(
        "a header cannot be changed; make a new one with Header.of(name, value)");
  }

  /** Equal to any {@link Map.Entry} with the same name and value, as {@code Map.Entry} says. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Map.Entry<?, ?> e && name.equals(e.getKey()) && value.equals(e.getValue());
  }

  /** The hash {@code Map.Entry} defines: name's hash XOR value's hash. */
  @Override
  public int hashCode() {
    return name.hashCode() ^ value.hashCode();
  }

  /** {@code name: value}. */
  @Override
  public String toString() {
    return name + ": " + value;
  }
}

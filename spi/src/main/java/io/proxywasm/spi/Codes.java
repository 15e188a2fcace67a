package io.proxywasm.spi;

import java.util.Optional;

/** Lookup tables from ABI codes to enum constants; shared by the enums of this package. */
final class Codes {
  private Codes() {}

  /**
   * Builds a table indexed by code. Codes must be non-negative and small.
   *
   * @param values all constants of the enum
   * @param <E> the enum type
   * @return an array where index {@code c} holds the constant with code {@code c}, or null
   */
  static <E extends AbiCode> E[] index(E[] values) {
    int max = 0;
    for (E e : values) {
      max = Math.max(max, e.code());
    }
    E[] table = java.util.Arrays.copyOf(values, max + 1);
    java.util.Arrays.fill(table, null);
    for (E e : values) {
      if (e.code() >= 0) {
        table[e.code()] = e;
      }
    }
    return table;
  }

  /**
   * Finds the constant with the given code.
   *
   * @param table a table built by {@link #index}
   * @param code the code to look up; any value, including negative and out-of-range ones
   * @param <E> the enum type
   * @return the constant, or empty when no constant has that code
   */
  static <E> Optional<E> find(E[] table, long code) {
    if (code < 0 || code >= table.length) {
      return Optional.empty();
    }
    return Optional.ofNullable(table[(int) code]);
  }
}

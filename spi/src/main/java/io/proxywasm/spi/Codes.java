package io.proxywasm.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
  static <E extends AbiCode> List<Optional<E>> index(E[] values) {
    int max = 0;
    for (E e : values) {
      max = Math.max(max, e.code());
    }
    List<Optional<E>> table = new ArrayList<>(Collections.nCopies(max + 1, Optional.empty()));
    for (E e : values) {
      if (e.code() >= 0) {
        table.set(e.code(), Optional.of(e));
      }
    }
    return List.copyOf(table);
  }

  static <E> Optional<E> find(List<Optional<E>> table, long code) {
    if (code < 0 || code >= table.size()) {
      return Optional.empty();
    }
    return table.get((int) code);
  }
}

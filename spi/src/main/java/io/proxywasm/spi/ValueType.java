package io.proxywasm.spi;

/**
 * A WebAssembly value type. Values cross the host boundary as {@code long}: i32 in the low 32 bits
 * (read it with {@code (int) v}, or {@code v & 0xFFFFFFFFL} for a pointer), f32 and f64 as their
 * raw IEEE 754 bits.
 */
public enum ValueType {
  /** 32-bit integer. */
  I32,
  /** 64-bit integer. */
  I64,
  /** 32-bit float. */
  F32,
  /** 64-bit float. */
  F64;

  /**
   * Returns the name used in the WebAssembly text format.
   *
   * @return for example {@code i32}
   */
  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

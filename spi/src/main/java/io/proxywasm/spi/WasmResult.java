package io.proxywasm.spi;

import java.util.Optional;

/** The status a host function returns to a plugin ({@code proxy_status_t}). */
public enum WasmResult implements AbiCode {
  /** The call succeeded. Code 0. */
  OK(0),
  /** The requested item does not exist. Code 1. */
  NOT_FOUND(1),
  /** An argument was out of range or malformed. Code 2. */
  BAD_ARGUMENT(2),
  /** A value could not be serialised. Code 3. */
  SERIALIZATION_FAILURE(3),
  /** A value could not be parsed. Code 4. */
  PARSE_FAILURE(4),
  /** An expression was invalid. Code 5. */
  BAD_EXPRESSION(5),
  /** A pointer or length from the plugin lies outside its linear memory. Code 6. */
  INVALID_MEMORY_ACCESS(6),
  /** The queue or buffer is empty. Code 7. */
  EMPTY(7),
  /** The compare-and-swap value did not match. Code 8. */
  CAS_MISMATCH(8),
  /** The result did not match what was expected. Code 9. */
  RESULT_MISMATCH(9),
  /** The host failed internally, or the call was restricted. Code 10. */
  INTERNAL_FAILURE(10),
  /** The connection is broken. Code 11. */
  BROKEN_CONNECTION(11),
  /** The host does not implement the call. Code 12. */
  UNIMPLEMENTED(12);

  private static final java.util.List<Optional<WasmResult>> BY_CODE = Codes.index(values());

  private final int code;

  WasmResult(int code) {
    this.code = code;
  }

  @Override
  public int code() {
    return code;
  }

  /**
   * Returns the constant with the given ABI code.
   *
   * @param code a code as received from a plugin; any value
   * @return the constant, or empty if no constant has that code
   */
  public static Optional<WasmResult> fromCode(long code) {
    return Codes.find(BY_CODE, code);
  }
}

package io.proxywasm.spi;

import java.util.Optional;

/** What the host does after a body callback. */
public enum FilterDataStatus implements AbiCode {
  /** Continue with the next filter. Code 0. */
  CONTINUE(0),
  /** Stop and buffer the data. Code 1. */
  STOP_ITERATION_AND_BUFFER(1),
  /** Stop and buffer up to the buffer limit. Code 2. */
  STOP_ITERATION_AND_WATERMARK(2),
  /** Stop without buffering. Code 3. */
  STOP_ITERATION_NO_BUFFER(3);

  private static final java.util.List<Optional<FilterDataStatus>> BY_CODE = Codes.index(values());

  private final int code;

  FilterDataStatus(int code) {
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
  public static Optional<FilterDataStatus> fromCode(long code) {
    return Codes.find(BY_CODE, code);
  }
}

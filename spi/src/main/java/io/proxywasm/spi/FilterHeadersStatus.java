package io.proxywasm.spi;

import java.util.Optional;

/** What the host does after a header callback. */
public enum FilterHeadersStatus implements AbiCode {
  /** Continue with the next filter. Code 0. */
  CONTINUE(0),
  /** Stop until the plugin resumes the stream; data may still arrive. Code 1. */
  STOP_ITERATION(1),
  /** Continue, and end the stream here. Code 2. */
  CONTINUE_AND_END_STREAM(2),
  /** Stop and buffer everything until resumed. Code 3. */
  STOP_ALL_ITERATION_AND_BUFFER(3),
  /** Stop and buffer up to the buffer limit until resumed. Code 4. */
  STOP_ALL_ITERATION_AND_WATERMARK(4);

  private static final java.util.List<Optional<FilterHeadersStatus>> BY_CODE =
      Codes.index(values());

  private final int code;

  FilterHeadersStatus(int code) {
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
  public static Optional<FilterHeadersStatus> fromCode(long code) {
    return Codes.find(BY_CODE, code);
  }
}

package io.proxywasm.spi;

import java.util.Optional;

/** A log level, as passed to {@code proxy_log} and returned by {@code proxy_get_log_level}. */
public enum LogLevel implements AbiCode {
  /** Trace. Code 0. */
  TRACE(0),
  /** Debug. Code 1. */
  DEBUG(1),
  /** Info. Code 2. */
  INFO(2),
  /** Warning. Code 3. */
  WARN(3),
  /** Error. Code 4. */
  ERROR(4),
  /** Critical. Code 5. */
  CRITICAL(5);

  private static final java.util.List<Optional<LogLevel>> BY_CODE = Codes.index(values());

  private final int code;

  LogLevel(int code) {
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
  public static Optional<LogLevel> fromCode(long code) {
    return Codes.find(BY_CODE, code);
  }
}

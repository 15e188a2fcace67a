package io.proxywasm.spi;

import java.util.Optional;

/** The type of a plugin-defined metric ({@code proxy_metric_type_t}). */
public enum MetricType implements AbiCode {
  /** A monotonically increasing counter. Code 0. */
  COUNTER(0),
  /** A value that goes up and down. Code 1. */
  GAUGE(1),
  /** A distribution of recorded values. Code 2. */
  HISTOGRAM(2);

  private static final java.util.List<Optional<MetricType>> BY_CODE = Codes.index(values());

  private final int code;

  MetricType(int code) {
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
  public static Optional<MetricType> fromCode(long code) {
    return Codes.find(BY_CODE, code);
  }
}

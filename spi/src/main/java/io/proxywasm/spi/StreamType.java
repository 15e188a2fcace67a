package io.proxywasm.spi;

import java.util.Optional;

/** A direction of a stream ({@code proxy_stream_type_t}, ABI 0.2.0 and later). */
public enum StreamType implements AbiCode {
  /** The HTTP request. Code 0. */
  REQUEST(0),
  /** The HTTP response. Code 1. */
  RESPONSE(1),
  /** The downstream side of a TCP stream. Code 2. */
  DOWNSTREAM(2),
  /** The upstream side of a TCP stream. Code 3. */
  UPSTREAM(3);

  private static final java.util.List<Optional<StreamType>> BY_CODE = Codes.index(values());

  private final int code;

  StreamType(int code) {
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
  public static Optional<StreamType> fromCode(long code) {
    return Codes.find(BY_CODE, code);
  }
}

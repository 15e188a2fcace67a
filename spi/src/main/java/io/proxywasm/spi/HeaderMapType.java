package io.proxywasm.spi;

import java.util.Optional;

/** Which header map a header host function works on ({@code proxy_map_type_t}). */
public enum HeaderMapType implements AbiCode {
  /** HTTP request headers. Code 0. */
  REQUEST_HEADERS(0),
  /** HTTP request trailers. Code 1. */
  REQUEST_TRAILERS(1),
  /** HTTP response headers. Code 2. */
  RESPONSE_HEADERS(2),
  /** HTTP response trailers. Code 3. */
  RESPONSE_TRAILERS(3),
  /** Initial metadata of a gRPC callout. Code 4. */
  GRPC_RECEIVE_INITIAL_METADATA(4),
  /** Trailing metadata of a gRPC callout. Code 5. */
  GRPC_RECEIVE_TRAILING_METADATA(5),
  /** Headers of an HTTP callout's response. Code 6. */
  HTTP_CALL_RESPONSE_HEADERS(6),
  /** Trailers of an HTTP callout's response. Code 7. */
  HTTP_CALL_RESPONSE_TRAILERS(7);

  private static final java.util.List<Optional<HeaderMapType>> BY_CODE = Codes.index(values());

  private final int code;

  HeaderMapType(int code) {
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
  public static Optional<HeaderMapType> fromCode(long code) {
    return Codes.find(BY_CODE, code);
  }
}

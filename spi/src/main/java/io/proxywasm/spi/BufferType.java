package io.proxywasm.spi;

import java.util.Optional;

/** Which buffer a buffer host function works on ({@code proxy_buffer_type_t}). */
public enum BufferType implements AbiCode {
  /** HTTP request body. Code 0. */
  HTTP_REQUEST_BODY(0),
  /** HTTP response body. Code 1. */
  HTTP_RESPONSE_BODY(1),
  /** Data received from downstream on a TCP stream. Code 2. */
  NETWORK_DOWNSTREAM_DATA(2),
  /** Data received from upstream on a TCP stream. Code 3. */
  NETWORK_UPSTREAM_DATA(3),
  /** Body of an HTTP callout's response. Code 4. */
  HTTP_CALL_RESPONSE_BODY(4),
  /** A message received on a gRPC callout. Code 5. */
  GRPC_RECEIVE_BUFFER(5),
  /** The VM configuration (ABI 0.2.0 and later). Code 6. */
  VM_CONFIGURATION(6),
  /** The plugin configuration (ABI 0.2.0 and later). Code 7. */
  PLUGIN_CONFIGURATION(7),
  /** Arguments of a foreign function call (ABI 0.2.0 and later). Code 8. */
  CALL_DATA(8);

  private static final java.util.List<Optional<BufferType>> BY_CODE = Codes.index(values());

  private final int code;

  BufferType(int code) {
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
  public static Optional<BufferType> fromCode(long code) {
    return Codes.find(BY_CODE, code);
  }
}

package io.proxywasm.host;

import io.proxywasm.spi.Header;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A reply the plugin (or the fail-closed policy) sends instead of forwarding the request.
 *
 * @param status the HTTP status code
 * @param body the body
 * @param headers the headers to send
 * @param grpcStatus the gRPC status to add as {@code grpc-status}, or -1 for none
 * @param details the response code details, for logs (for example {@code wasm_fail_stream})
 */
public record LocalResponse(
    int status, byte[] body, List<Header> headers, int grpcStatus, String details) {

  /**
   * Validates and copies the parts.
   *
   * @param status the status
   * @param body the body
   * @param headers the headers
   * @param grpcStatus the gRPC status or -1
   * @param details the details
   */
  public LocalResponse {
    body = Objects.requireNonNull(body, "body").clone();
    headers = List.copyOf(headers);
    Objects.requireNonNull(details, "details");
  }

  /**
   * Returns a copy of the body.
   *
   * @return the body bytes
   */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /**
   * Returns the body as UTF-8 text.
   *
   * @return the text
   */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "LocalResponse[status="
        + status
        + ", headers="
        + headers
        + ", body="
        + bodyText()
        + ", grpcStatus="
        + grpcStatus
        + ", details="
        + details
        + "]";
  }
}

package io.proxywasm.host;

import java.util.List;
import java.util.Map;

/**
 * The answer to an HTTP callout.
 *
 * @param headers the response headers, including {@code :status}
 * @param body the body
 * @param trailers the trailers
 */
public record HttpCallResponse(
    List<Map.Entry<String, String>> headers,
    byte[] body,
    List<Map.Entry<String, String>> trailers) {

  /**
   * Copies the parts.
   *
   * @param headers the headers
   * @param body the body
   * @param trailers the trailers
   */
  public HttpCallResponse {
    headers = List.copyOf(headers);
    body = body.clone();
    trailers = List.copyOf(trailers);
  }

  /**
   * Returns a copy of the body.
   *
   * @return the body
   */
  @Override
  public byte[] body() {
    return body.clone();
  }
}

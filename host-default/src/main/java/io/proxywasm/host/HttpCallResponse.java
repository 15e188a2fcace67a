package io.proxywasm.host;

import io.proxywasm.spi.Header;
import java.util.List;

/**
 * The answer to an HTTP callout.
 *
 * @param headers the response headers, including {@code :status}
 * @param body the body
 * @param trailers the trailers
 */
public record HttpCallResponse(List<Header> headers, byte[] body, List<Header> trailers) {

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

package io.proxywasm.host;

import io.proxywasm.spi.Header;
import io.proxywasm.spi.PluginInfo;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An HTTP callout a plugin made with {@code proxy_http_call}.
 *
 * @param upstream the upstream (Envoy's cluster) the plugin named
 * @param headers the request headers, including {@code :method}, {@code :path} and {@code
 *     :authority}
 * @param body the request body
 * @param trailers the request trailers
 * @param timeout how long the plugin waits, or zero for no limit; after it the host answers the
 *     plugin as Envoy's async client does, with a local 504 "upstream request timeout"
 * @param plugin the plugin that made the call
 */
public record HttpCallRequest(
    String upstream,
    List<Header> headers,
    byte[] body,
    List<Header> trailers,
    Duration timeout,
    PluginInfo plugin) {

  /**
   * Validates and copies the parts.
   *
   * @param upstream the upstream
   * @param headers the headers
   * @param body the body
   * @param trailers the trailers
   * @param timeout the timeout
   * @param plugin the plugin
   */
  public HttpCallRequest {
    Objects.requireNonNull(upstream, "upstream");
    headers = List.copyOf(headers);
    body = body.clone();
    trailers = List.copyOf(trailers);
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(plugin, "plugin");
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

  /**
   * Returns the first value of a request header.
   *
   * @param name the lower-case name
   * @return the value, or null
   */
  public String header(String name) {
    for (Header e : headers) {
      if (e.name().equalsIgnoreCase(name)) {
        return e.value();
      }
    }
    return null;
  }
}

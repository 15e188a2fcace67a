package io.proxywasm.testkit;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.PropertyResolver;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One HTTP exchange to run through a plugin in one call, as a proxy would: request headers, body
 * and trailers; then what is due (callout answers, queue items) and the resumes it causes; then, if
 * the plugin let the request through and did not answer locally, the response headers, body and
 * trailers and what is due again; then the access log and the end of the stream.
 *
 * <p>If the request is still paused when what was due has run (a callout that hangs, a plugin
 * waiting for a tick), the response does not run and the stream ends as when the client goes away:
 * {@link ExchangeResult#pausedAt()} says so. To drive what happens while it is paused, open a
 * stream instead: {@link TestPlugin#openHttp()}.
 */
public final class HttpExchange {
  private final TestPlugin plugin;
  private final HeaderMap requestHeaders = new HeaderMap();
  private final HeaderMap requestTrailers = new HeaderMap();
  private final HeaderMap responseHeaders = HeaderMap.of(":status", "200");
  private final HeaderMap responseTrailers = new HeaderMap();
  private byte[] requestBody;
  private byte[] responseBody;
  private PropertyResolver properties = PropertyResolver.NONE;

  HttpExchange(TestPlugin plugin) {
    this.plugin = plugin;
  }

  /**
   * Adds a request header.
   *
   * @param name the name, for example {@code :path}
   * @param value the value
   * @return this exchange
   */
  public HttpExchange requestHeader(String name, String value) {
    requestHeaders.add(name, value);
    return this;
  }

  /**
   * Sets the request body, sent as one chunk.
   *
   * @param body the body as UTF-8 text
   * @return this exchange
   */
  public HttpExchange requestBody(String body) {
    this.requestBody = body.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  /**
   * Adds a request trailer.
   *
   * @param name the name
   * @param value the value
   * @return this exchange
   */
  public HttpExchange requestTrailer(String name, String value) {
    requestTrailers.add(name, value);
    return this;
  }

  /**
   * Sets the response status (200 by default).
   *
   * @param status the status code
   * @return this exchange
   */
  public HttpExchange responseStatus(int status) {
    responseHeaders.set(":status", Integer.toString(status));
    return this;
  }

  /**
   * Adds a response header.
   *
   * @param name the name
   * @param value the value
   * @return this exchange
   */
  public HttpExchange responseHeader(String name, String value) {
    responseHeaders.add(name, value);
    return this;
  }

  /**
   * Sets the response body, sent as one chunk.
   *
   * @param body the body as UTF-8 text
   * @return this exchange
   */
  public HttpExchange responseBody(String body) {
    this.responseBody = body.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  /**
   * Adds a response trailer.
   *
   * @param name the name
   * @param value the value
   * @return this exchange
   */
  public HttpExchange responseTrailer(String name, String value) {
    responseTrailers.add(name, value);
    return this;
  }

  /**
   * Sets the stream's properties ({@code request.path}, {@code source.address}...).
   *
   * @param properties the resolver
   * @return this exchange
   */
  public HttpExchange properties(PropertyResolver properties) {
    this.properties = Objects.requireNonNull(properties, "properties");
    return this;
  }

  /**
   * Runs the exchange.
   *
   * @return what the plugin decided and changed
   */
  public ExchangeResult run() {
    try (TestHttpStream stream = plugin.openHttp(properties)) {
      boolean requestTrailers = this.requestTrailers.size() > 0;
      stream.sendRequestHeaders(requestHeaders, requestBody == null && !requestTrailers);
      if (requestBody != null) {
        stream.sendRequestBody(requestBody, !requestTrailers);
      }
      if (requestTrailers) {
        stream.sendRequestTrailers(this.requestTrailers);
      }
      plugin.runDue();
      if (stream.localResponse().isEmpty()
          && !stream.isRequestPaused()
          && stream.closedByPlugin().isEmpty()
          && stream.upstreamRequest().headersSent()) {
        boolean responseTrailers = this.responseTrailers.size() > 0;
        stream.sendResponseHeaders(responseHeaders, responseBody == null && !responseTrailers);
        if (responseBody != null && stream.localResponse().isEmpty()) {
          stream.sendResponseBody(responseBody, !responseTrailers);
        }
        if (responseTrailers && stream.localResponse().isEmpty()) {
          stream.sendResponseTrailers(this.responseTrailers);
        }
        plugin.runDue();
      }
      stream.accessLog();
      return stream.result();
    }
  }
}

package io.proxywasm.testkit;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.FilterTrailersStatus;
import io.proxywasm.spi.StreamType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP exchange to run through a plugin, as a proxy would: request headers, body and trailers,
 * then (unless the plugin answered locally) response headers, body and trailers, then the access
 * log and the end of the stream.
 */
public final class HttpExchange {
  private final PluginHandle handle;
  private final RecordingLogSink logs;
  private final ManualScheduler scheduler;
  private final HeaderMap requestHeaders = new HeaderMap();
  private final HeaderMap requestTrailers = new HeaderMap();
  private final HeaderMap responseHeaders = HeaderMap.of(":status", "200");
  private final HeaderMap responseTrailers = new HeaderMap();
  private byte[] requestBody;
  private byte[] responseBody;
  private PropertyResolver properties = PropertyResolver.NONE;

  HttpExchange(PluginHandle handle, RecordingLogSink logs, ManualScheduler scheduler) {
    this.handle = handle;
    this.logs = logs;
    this.scheduler = scheduler;
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
   * Sets the request body.
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
   * Sets the response body.
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
    int firstLog = logs.size();
    List<StreamType> resumed = new ArrayList<>();
    HttpStream stream =
        handle.newHttpStream(
            new HttpStreamListener() {
              @Override
              public void onResume(StreamType direction) {
                resumed.add(direction);
              }
            },
            properties);
    BodyBuffer reqBody = requestBody == null ? null : new BodyBuffer(requestBody);
    BodyBuffer respBody = responseBody == null ? null : new BodyBuffer(responseBody);
    try {
      FilterHeadersStatus requestStatus =
          stream.onRequestHeaders(requestHeaders, reqBody == null && requestTrailers.size() == 0);
      Optional<FilterDataStatus> requestBodyStatus =
          reqBody == null
              ? Optional.empty()
              : Optional.of(stream.onRequestBody(reqBody, requestTrailers.size() == 0));
      Optional<FilterTrailersStatus> requestTrailersStatus =
          requestTrailers.size() == 0
              ? Optional.empty()
              : Optional.of(stream.onRequestTrailers(requestTrailers));
      scheduler.runDue();
      Optional<FilterHeadersStatus> responseStatus = Optional.empty();
      if (stream.localResponse().isEmpty()) {
        responseStatus =
            Optional.of(
                stream.onResponseHeaders(
                    responseHeaders, respBody == null && responseTrailers.size() == 0));
        if (respBody != null) {
          stream.onResponseBody(respBody, responseTrailers.size() == 0);
        }
        if (responseTrailers.size() > 0) {
          stream.onResponseTrailers(responseTrailers);
        }
      }
      stream.onLog();
      return new ExchangeResult(
          requestStatus,
          requestBodyStatus,
          requestTrailersStatus,
          responseStatus,
          requestHeaders.entries(),
          reqBody == null ? new byte[0] : reqBody.bytes(),
          responseHeaders.entries(),
          respBody == null ? new byte[0] : respBody.bytes(),
          stream.localResponse(),
          List.copyOf(resumed),
          logs.since(firstLog),
          stream.failure());
    } finally {
      stream.close();
    }
  }
}

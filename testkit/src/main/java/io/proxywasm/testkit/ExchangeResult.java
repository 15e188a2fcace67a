package io.proxywasm.testkit;

import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.PluginFailure;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.FilterTrailersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.StreamType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a plugin did to one HTTP exchange.
 *
 * <p>The request and response bodies are what the proxy had of them after the plugin: what it sent
 * on, then what it still held for the plugin.
 *
 * @param requestHeadersStatus the decision on the request headers
 * @param requestBodyStatus the plugin's last decision on the request body, if it saw one
 * @param requestTrailersStatus the decision on the request trailers, if there were some
 * @param responseHeadersStatus the decision on the response headers; empty when a local response
 *     replaced the response
 * @param requestHeaders the request headers after the plugin's changes
 * @param requestBody the request body after the plugin's changes
 * @param responseHeaders the response headers after the plugin's changes
 * @param responseBody the response body after the plugin's changes
 * @param localResponse the plugin's local reply, if it sent one
 * @param resumed the directions the plugin resumed with {@code proxy_continue_stream}
 * @param logs what the plugin logged during the exchange
 * @param failure why the plugin stopped serving the exchange (a trap, the call deadline, ...), if
 *     it did; the exchange then got the plugin's fail policy
 * @param contextId the plugin's context id for the exchange's stream ({@link
 *     RecordingLogSink#linesOfContext(int)} finds its log lines); 0 if the plugin could not run
 * @param pausedAt the direction the plugin still held when the exchange ended, if any: a request
 *     still paused gets no response, and the stream ends as when the client goes away
 * @param responseBodyStatus the plugin's last decision on the response body, if it saw one
 * @param responseTrailersStatus the decision on the response trailers, if it saw some
 */
public record ExchangeResult(
    FilterHeadersStatus requestHeadersStatus,
    Optional<FilterDataStatus> requestBodyStatus,
    Optional<FilterTrailersStatus> requestTrailersStatus,
    Optional<FilterHeadersStatus> responseHeadersStatus,
    List<Header> requestHeaders,
    byte[] requestBody,
    List<Header> responseHeaders,
    byte[] responseBody,
    Optional<LocalResponse> localResponse,
    List<StreamType> resumed,
    List<RecordingLogSink.Line> logs,
    Optional<PluginFailure> failure,
    int contextId,
    Optional<StreamType> pausedAt,
    Optional<FilterDataStatus> responseBodyStatus,
    Optional<FilterTrailersStatus> responseTrailersStatus) {

  /**
   * Copies the parts.
   *
   * @param requestHeadersStatus the request headers decision
   * @param requestBodyStatus the request body decision
   * @param requestTrailersStatus the request trailers decision
   * @param responseHeadersStatus the response headers decision
   * @param requestHeaders the request headers
   * @param requestBody the request body
   * @param responseHeaders the response headers
   * @param responseBody the response body
   * @param localResponse the local reply
   * @param resumed the resumed directions
   * @param logs the log lines
   * @param failure the plugin's failure, if any
   * @param contextId the stream's context id
   * @param pausedAt the direction still paused at the end, if any
   * @param responseBodyStatus the response body decision
   * @param responseTrailersStatus the response trailers decision
   */
  public ExchangeResult {
    requestHeaders = List.copyOf(requestHeaders);
    requestBody = requestBody.clone();
    responseHeaders = List.copyOf(responseHeaders);
    responseBody = responseBody.clone();
    resumed = List.copyOf(resumed);
    logs = List.copyOf(logs);
  }

  /**
   * Returns a copy of the request body.
   *
   * @return the bytes
   */
  @Override
  public byte[] requestBody() {
    return requestBody.clone();
  }

  /**
   * Returns a copy of the response body.
   *
   * @return the bytes
   */
  @Override
  public byte[] responseBody() {
    return responseBody.clone();
  }

  /**
   * Returns the messages the plugin logged during the exchange.
   *
   * @return the messages, in order
   */
  public List<String> logMessages() {
    return logs.stream().map(RecordingLogSink.Line::message).collect(Collectors.toList());
  }

  /**
   * Returns the response body as UTF-8 text.
   *
   * @return the text
   */
  public String responseBodyText() {
    return new String(responseBody, StandardCharsets.UTF_8);
  }
}

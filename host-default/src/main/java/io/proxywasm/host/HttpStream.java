package io.proxywasm.host;

import io.proxywasm.host.internal.abi.HttpState;
import io.proxywasm.host.internal.vm.Context;
import io.proxywasm.host.internal.vm.StreamCallbacks;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.FilterMetadataStatus;
import io.proxywasm.spi.FilterTrailersStatus;
import io.proxywasm.spi.HeaderMapType;
import io.proxywasm.spi.StreamType;
import java.util.Optional;

/**
 * One HTTP request and its response passing through a plugin. Feed it the events as they arrive;
 * each returns the filter status the plugin chose, and mutations to the maps and buffers passed in
 * are visible when it returns. Local replies, resumes and closes reach the {@link
 * HttpStreamListener}. Call {@link #close()} when the stream ends so that the plugin's context is
 * released.
 *
 * <p>Not for concurrent use: one stream's events come in order. Streams of one worker may be driven
 * from different threads; the host serialises them on the VM.
 */
public final class HttpStream extends StreamBase {
  HttpStream(Context ctx, HttpState state, PluginConfig config) {
    super(ctx, state, config, false);
  }

  /**
   * The stream's state, as this class made it: no field of its own, a stream is one per request.
   */
  private HttpState state() {
    return (HttpState) state;
  }

  private FilterHeadersStatus headers(
      StreamType direction, HeaderMap headers, boolean endOfStream) {
    return enter(
        HttpStream::headersInVm,
        this,
        direction,
        headers,
        endOfStream,
        FilterHeadersStatus.CONTINUE,
        FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
        StreamType.REQUEST);
  }

  private FilterHeadersStatus headersInVm(
      StreamType direction, HeaderMap headers, boolean endOfStream) {
    HeaderMapType type =
        direction == StreamType.RESPONSE
            ? HeaderMapType.RESPONSE_HEADERS
            : HeaderMapType.REQUEST_HEADERS;
    state().map(type, headers);
    FilterHeadersStatus status =
        StreamCallbacks.onHeaders(ctx, direction, headers.size(), endOfStream);
    if (status == FilterHeadersStatus.CONTINUE) {
      state().release(type); // Envoy: a map is gone once its callback continued
    }
    return status;
  }

  private FilterDataStatus body(StreamType direction, BodyBuffer body, boolean endOfStream) {
    boolean response = direction == StreamType.RESPONSE;
    if (body.length() > config.bodyBufferLimitBytes() && !isClosed()) {
      // What Envoy does when buffered data passes the limit: 413 for a request, 500 for a
      // response, and the plugin is not called with the oversized buffer.
      state()
          .sendLocalResponse(
              new LocalResponse(
                  response ? 500 : 413,
                  (response ? "Internal Server Error" : "Payload Too Large")
                      .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                  java.util.List.of(),
                  -1,
                  response ? "response_payload_too_large" : "request_payload_too_large"));
      return FilterDataStatus.STOP_ITERATION_NO_BUFFER;
    }
    if (ctx != null && !isClosed() && StreamCallbacks.bodyPassesWithoutCall(ctx, direction)) {
      return FilterDataStatus.CONTINUE;
    }
    return enter(
        HttpStream::bodyInVm,
        this,
        direction,
        body,
        endOfStream,
        FilterDataStatus.CONTINUE,
        FilterDataStatus.STOP_ITERATION_NO_BUFFER,
        StreamType.REQUEST);
  }

  private FilterDataStatus bodyInVm(StreamType direction, BodyBuffer body, boolean endOfStream) {
    state().body(direction, body);
    FilterDataStatus status = StreamCallbacks.onBody(ctx, direction, body.length(), endOfStream);
    if (status == FilterDataStatus.CONTINUE) {
      state().body(direction, null);
    }
    return status;
  }

  private FilterTrailersStatus trailers(StreamType direction, HeaderMap trailers) {
    return enter(
        HttpStream::trailersInVm,
        this,
        direction,
        trailers,
        false,
        FilterTrailersStatus.CONTINUE,
        FilterTrailersStatus.STOP_ITERATION,
        StreamType.REQUEST);
  }

  private FilterTrailersStatus trailersInVm(
      StreamType direction, HeaderMap trailers, boolean unusedFlag) {
    HeaderMapType type =
        direction == StreamType.RESPONSE
            ? HeaderMapType.RESPONSE_TRAILERS
            : HeaderMapType.REQUEST_TRAILERS;
    state().map(type, trailers);
    FilterTrailersStatus status = StreamCallbacks.onTrailers(ctx, direction, trailers.size());
    if (status == FilterTrailersStatus.CONTINUE) {
      state().release(type);
    }
    return status;
  }

  /**
   * Passes the request headers ({@code proxy_on_request_headers}).
   *
   * @param headers the headers; the plugin may change them
   * @param endOfStream whether the request has no body
   * @return the plugin's decision
   */
  public FilterHeadersStatus onRequestHeaders(HeaderMap headers, boolean endOfStream) {
    return headers(StreamType.REQUEST, headers, endOfStream);
  }

  /**
   * Passes a request body chunk ({@code proxy_on_request_body}).
   *
   * @param body the data buffered so far; the plugin may change it
   * @param endOfStream whether this is the last chunk
   * @return the plugin's decision
   */
  public FilterDataStatus onRequestBody(BodyBuffer body, boolean endOfStream) {
    return body(StreamType.REQUEST, body, endOfStream);
  }

  /**
   * Passes the request trailers ({@code proxy_on_request_trailers}).
   *
   * @param trailers the trailers; the plugin may change them
   * @return the plugin's decision
   */
  public FilterTrailersStatus onRequestTrailers(HeaderMap trailers) {
    return trailers(StreamType.REQUEST, trailers);
  }

  /**
   * Passes the response headers ({@code proxy_on_response_headers}).
   *
   * @param headers the headers; the plugin may change them
   * @param endOfStream whether the response has no body
   * @return the plugin's decision
   */
  public FilterHeadersStatus onResponseHeaders(HeaderMap headers, boolean endOfStream) {
    return headers(StreamType.RESPONSE, headers, endOfStream);
  }

  /**
   * Passes a response body chunk ({@code proxy_on_response_body}).
   *
   * @param body the data buffered so far; the plugin may change it
   * @param endOfStream whether this is the last chunk
   * @return the plugin's decision
   */
  public FilterDataStatus onResponseBody(BodyBuffer body, boolean endOfStream) {
    return body(StreamType.RESPONSE, body, endOfStream);
  }

  /**
   * Passes the response trailers ({@code proxy_on_response_trailers}).
   *
   * @param trailers the trailers; the plugin may change them
   * @return the plugin's decision
   */
  public FilterTrailersStatus onResponseTrailers(HeaderMap trailers) {
    return trailers(StreamType.RESPONSE, trailers);
  }

  /**
   * Passes request metadata ({@code proxy_on_request_metadata}); metadata always continues.
   *
   * @param metadata the metadata elements
   * @return {@link FilterMetadataStatus#CONTINUE}
   */
  public FilterMetadataStatus onRequestMetadata(HeaderMap metadata) {
    return metadata(StreamType.REQUEST, metadata);
  }

  /**
   * Passes response metadata ({@code proxy_on_response_metadata}); metadata always continues.
   *
   * @param metadata the metadata elements
   * @return {@link FilterMetadataStatus#CONTINUE}
   */
  public FilterMetadataStatus onResponseMetadata(HeaderMap metadata) {
    return metadata(StreamType.RESPONSE, metadata);
  }

  private FilterMetadataStatus metadata(StreamType direction, HeaderMap metadata) {
    return enter(
        () -> {
          StreamCallbacks.onMetadata(ctx, direction, metadata.size());
          return FilterMetadataStatus.CONTINUE;
        },
        FilterMetadataStatus.CONTINUE,
        FilterMetadataStatus.CONTINUE,
        StreamType.REQUEST);
  }

  /**
   * Calls {@code proxy_on_log}, as an access log would at the end of the stream. The final request
   * and response headers and response trailers can be read during it, not changed. Envoy creates
   * the plugin's context for it if the plugin never saw the stream (a request rejected before it),
   * so the plugin can log it.
   */
  public void onLog() {
    enter(HttpStream::logInVm, this, null, null, false, null, null, StreamType.REQUEST);
  }

  private Void logInVm(Void unusedA, Void unusedB, boolean unusedFlag) {
    state().logPhase(true);
    try {
      ctx.onLog();
    } finally {
      state().logPhase(false);
    }
    return null;
  }

  /**
   * Returns the properties the plugin set on this stream with {@code proxy_set_property}.
   *
   * @return path to value, a copy
   */
  public java.util.Map<java.util.List<String>, byte[]> propertiesSet() {
    return state().propertiesSet();
  }

  /**
   * Returns the local reply the plugin or the fail policy sent, if any.
   *
   * @return the reply
   */
  public Optional<io.proxywasm.host.LocalResponse> localResponse() {
    return state().localResponse();
  }
}

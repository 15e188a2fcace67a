package io.proxywasm.sdk;

import io.proxywasm.spi.BufferType;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.HeaderMapType;
import io.proxywasm.spi.HostCall;
import io.proxywasm.spi.StreamType;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The context of one HTTP stream: override the callbacks the plugin needs. Each answers {@link
 * Action#CONTINUE} unless overridden.
 */
public abstract class HttpContext extends Context {
  private final Headers requestHeaders = new Headers(this, HeaderMapType.REQUEST_HEADERS);
  private final Headers requestTrailers = new Headers(this, HeaderMapType.REQUEST_TRAILERS);
  private final Headers responseHeaders = new Headers(this, HeaderMapType.RESPONSE_HEADERS);
  private final Headers responseTrailers = new Headers(this, HeaderMapType.RESPONSE_TRAILERS);
  private final Body requestBody = new Body(this, BufferType.HTTP_REQUEST_BODY);
  private final Body responseBody = new Body(this, BufferType.HTTP_RESPONSE_BODY);

  /** Creates an HTTP context; the VM binds it before its first callback. */
  protected HttpContext() {}

  /**
   * {@code proxy_on_request_headers}.
   *
   * @param headers the number of request headers
   * @param endOfStream whether the request has no body
   * @return whether the stream goes on
   */
  public Action onRequestHeaders(int headers, boolean endOfStream) {
    return Action.CONTINUE;
  }

  /**
   * {@code proxy_on_request_body}: a chunk of the request body arrived; {@link #requestBody()} has
   * what is buffered. Answering {@link Action#PAUSE} buffers the chunk.
   *
   * @param bodySize the bytes buffered so far
   * @param endOfStream whether this is the last chunk
   * @return whether the stream goes on
   */
  public Action onRequestBody(int bodySize, boolean endOfStream) {
    return Action.CONTINUE;
  }

  /**
   * {@code proxy_on_request_trailers}.
   *
   * @param trailers the number of request trailers
   * @return whether the stream goes on
   */
  public Action onRequestTrailers(int trailers) {
    return Action.CONTINUE;
  }

  /**
   * {@code proxy_on_response_headers}.
   *
   * @param headers the number of response headers
   * @param endOfStream whether the response has no body
   * @return whether the stream goes on
   */
  public Action onResponseHeaders(int headers, boolean endOfStream) {
    return Action.CONTINUE;
  }

  /**
   * {@code proxy_on_response_body}.
   *
   * @param bodySize the bytes buffered so far
   * @param endOfStream whether this is the last chunk
   * @return whether the stream goes on
   */
  public Action onResponseBody(int bodySize, boolean endOfStream) {
    return Action.CONTINUE;
  }

  /**
   * {@code proxy_on_response_trailers}.
   *
   * @param trailers the number of response trailers
   * @return whether the stream goes on
   */
  public Action onResponseTrailers(int trailers) {
    return Action.CONTINUE;
  }

  /**
   * Returns the request headers (available from {@link #onRequestHeaders} on).
   *
   * @return the map
   */
  public final Headers requestHeaders() {
    return requestHeaders;
  }

  /**
   * Returns the request trailers (available in {@link #onRequestTrailers}).
   *
   * @return the map
   */
  public final Headers requestTrailers() {
    return requestTrailers;
  }

  /**
   * Returns the response headers (available from {@link #onResponseHeaders} on).
   *
   * @return the map
   */
  public final Headers responseHeaders() {
    return responseHeaders;
  }

  /**
   * Returns the response trailers (available in {@link #onResponseTrailers}).
   *
   * @return the map
   */
  public final Headers responseTrailers() {
    return responseTrailers;
  }

  /**
   * Returns the request body buffered so far.
   *
   * @return the body
   */
  public final Body requestBody() {
    return requestBody;
  }

  /**
   * Returns the response body buffered so far.
   *
   * @return the body
   */
  public final Body responseBody() {
    return responseBody;
  }

  /** Resumes a paused request ({@code proxy_continue_stream}), after the callback returns. */
  public final void resumeRequest() {
    check(HostCall.CONTINUE_STREAM, host().continueStream(StreamType.REQUEST));
  }

  /** Resumes a paused response, after the callback returns. */
  public final void resumeResponse() {
    check(HostCall.CONTINUE_STREAM, host().continueStream(StreamType.RESPONSE));
  }

  /** Resets the stream ({@code proxy_close_stream}). */
  public final void closeRequest() {
    check(HostCall.CLOSE_STREAM, host().closeStream(StreamType.REQUEST));
  }

  /** Resets the stream in the response direction. */
  public final void closeResponse() {
    check(HostCall.CLOSE_STREAM, host().closeStream(StreamType.RESPONSE));
  }

  /**
   * Answers the request from the plugin ({@code proxy_send_local_response}); the stream stops going
   * upstream.
   *
   * @param statusCode the HTTP status
   * @param headers the response headers
   * @param body the response body
   */
  public final void sendLocalResponse(int statusCode, List<Header> headers, byte[] body) {
    sendLocalResponse(statusCode, "", headers, body, -1);
  }

  /**
   * Answers the request with a text body.
   *
   * @param statusCode the HTTP status
   * @param headers the response headers
   * @param body the body, sent as UTF-8
   */
  public final void sendLocalResponse(int statusCode, List<Header> headers, String body) {
    sendLocalResponse(statusCode, headers, body.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Answers the request, with response code details and a gRPC status.
   *
   * @param statusCode the HTTP status
   * @param details the response code details Envoy logs
   * @param headers the response headers
   * @param body the body
   * @param grpcStatus the gRPC status, or -1 for none
   */
  public final void sendLocalResponse(
      int statusCode, String details, List<Header> headers, byte[] body, int grpcStatus) {
    check(
        HostCall.SEND_LOCAL_RESPONSE,
        host().sendLocalResponse(statusCode, details, body, headers, grpcStatus));
  }
}

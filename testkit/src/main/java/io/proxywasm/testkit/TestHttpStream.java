package io.proxywasm.testkit;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.PluginFailure;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.FilterTrailersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.StreamType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One HTTP stream through a plugin, driven a step at a time as a proxy (Envoy's filter manager)
 * drives a filter. Each step returns the plugin's decision; between steps the test does what it
 * likes: {@link TestHost#runDue()}, {@link TestHost#advance}, ticks, queue items, more steps.
 *
 * <p>What the proxy does with each decision:
 *
 * <ul>
 *   <li>Headers: {@code CONTINUE} sends them on; {@code STOP_ITERATION} holds them while body
 *       chunks still reach the plugin; {@code STOP_ALL_ITERATION_AND_*} (what a plugin's pause
 *       becomes) holds everything: body chunks and trailers that arrive meanwhile are buffered and
 *       given to the plugin only once it resumes; {@code CONTINUE_AND_END_STREAM} sends the headers
 *       on as the whole message and drops what follows.
 *   <li>Body: {@code CONTINUE} sends the buffer on; {@code STOP_ITERATION_AND_BUFFER} (and {@code
 *       _AND_WATERMARK}) keeps it, and the next chunk is added to it, so that the plugin sees the
 *       whole body so far; {@code STOP_ITERATION_NO_BUFFER} drops it.
 *   <li>Trailers: {@code CONTINUE} sends on what is held and the trailers; {@code STOP_ITERATION}
 *       holds them.
 *   <li>A resume ({@code proxy_continue_stream}, or {@link #resumeRequest()}) sends on what is
 *       held; after a {@code STOP_ALL} the plugin first gets the body and trailers it has not seen.
 *   <li>The response cannot start while the request is paused: {@link #sendResponseHeaders} then
 *       fails, saying why. After a local reply there is no upstream response, and the rest of the
 *       request is not given to the plugin.
 * </ul>
 *
 * <p>A resume the plugin makes is applied when its callback has returned: at the end of the step,
 * or of the {@code runDue}, {@code advance}, tick or queue delivery that caused it. Close the
 * stream to end it ({@code proxy_on_log}, {@code proxy_on_done}, {@code proxy_on_delete}).
 */
public final class TestHttpStream implements AutoCloseable {
  private final TestHost host;
  private final HttpStream stream;
  private final int firstLog;

  /** What the host told the proxy: resumes and closes, in order. */
  private final RecordingStreamListener decisions = new RecordingStreamListener();

  /** How many of the resumes the proxy applied; the rest wait for the plugin's callback to end. */
  private int resumesApplied;

  private final Side request = new Side(false);
  private final Side response = new Side(true);
  private boolean ended;
  private boolean logged;

  /** Where iteration stands at this plugin, for one direction. */
  private enum Stop {
    /** Nothing is held. */
    NONE,
    /** Headers held ({@code STOP_ITERATION}); body chunks still reach the plugin. */
    HEADERS,
    /** Everything held ({@code STOP_ALL_ITERATION_*}); the plugin is not called until resumed. */
    ALL,
    /** The plugin stopped on the body; the proxy keeps buffering for it (or dropped the data). */
    DATA,
    /** Trailers held. */
    TRAILERS,
    /** {@code CONTINUE_AND_END_STREAM}: what follows the headers is dropped. */
    DROP
  }

  /**
   * What the plugin did with one body chunk.
   *
   * @param status the plugin's decision; empty when the plugin was not called (it had stopped all
   *     iteration, so the proxy holds the chunk for later, or the stream had been answered locally)
   * @param seen the body the plugin was given, as it left it: the whole buffered body so far when
   *     it asked for buffering; empty when it was not called
   * @param buffered what the proxy holds for the plugin after the step (buffered for the next call,
   *     or held until a resume); empty once sent on
   */
  public record BodyStep(Optional<FilterDataStatus> status, byte[] seen, byte[] buffered) {
    /**
     * Copies the parts.
     *
     * @param status the decision
     * @param seen the body the plugin saw
     * @param buffered what the proxy holds
     */
    public BodyStep {
      seen = seen.clone();
      buffered = buffered.clone();
    }

    /**
     * Returns a copy of what the plugin saw.
     *
     * @return the bytes
     */
    @Override
    public byte[] seen() {
      return seen.clone();
    }

    /**
     * Returns a copy of what the proxy holds.
     *
     * @return the bytes
     */
    @Override
    public byte[] buffered() {
      return buffered.clone();
    }

    /**
     * Returns what the plugin saw, as UTF-8 text.
     *
     * @return the text
     */
    public String seenText() {
      return new String(seen, StandardCharsets.UTF_8);
    }

    /**
     * Returns what the proxy holds, as UTF-8 text.
     *
     * @return the text
     */
    public String bufferedText() {
      return new String(buffered, StandardCharsets.UTF_8);
    }
  }

  /**
   * What the proxy has sent on in one direction, past the plugin: to the upstream for the request,
   * to the client for the response.
   *
   * @param headersSent whether the headers went on
   * @param headers the headers as they went on
   * @param body the body sent on so far
   * @param trailers the trailers, if they went on
   * @param ended whether the whole message went on
   */
  public record Forwarded(
      boolean headersSent,
      List<Header> headers,
      byte[] body,
      List<Header> trailers,
      boolean ended) {
    /**
     * Copies the parts.
     *
     * @param headersSent whether the headers went on
     * @param headers the headers
     * @param body the body
     * @param trailers the trailers
     * @param ended whether the whole message went on
     */
    public Forwarded {
      headers = List.copyOf(headers);
      body = body.clone();
      trailers = List.copyOf(trailers);
    }

    /**
     * Returns a copy of the body.
     *
     * @return the bytes
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
  }

  TestHttpStream(TestHost host, PluginHandle handle, PropertyResolver properties) {
    this.host = host;
    this.firstLog = host.logs().size();
    this.stream = handle.newHttpStream(decisions, Objects.requireNonNull(properties, "properties"));
    host.opened(this);
  }

  // ---- the request ----

  /**
   * Sends the request headers ({@code proxy_on_request_headers}).
   *
   * @param headers the headers; the stream keeps its own copy, which the plugin may change
   * @param endOfStream whether the request has no body and no trailers
   * @return the plugin's decision
   * @throws IllegalStateException if they were sent already or the stream is closed
   */
  public FilterHeadersStatus sendRequestHeaders(HeaderMap headers, boolean endOfStream) {
    return step(() -> request.headers(headers, endOfStream));
  }

  /**
   * Sends a request body chunk ({@code proxy_on_request_body}), as the proxy gives it to the
   * plugin: added to what it buffers, or held while the plugin has stopped all iteration.
   *
   * @param chunk the chunk, as UTF-8
   * @param endOfStream whether it is the last part of the request
   * @return the decision and the bodies
   */
  public BodyStep sendRequestBody(String chunk, boolean endOfStream) {
    return sendRequestBody(chunk.getBytes(StandardCharsets.UTF_8), endOfStream);
  }

  /**
   * Sends a request body chunk.
   *
   * @param chunk the chunk
   * @param endOfStream whether it is the last part of the request
   * @return the decision and the bodies
   */
  public BodyStep sendRequestBody(byte[] chunk, boolean endOfStream) {
    return step(() -> request.body(chunk, endOfStream));
  }

  /**
   * Sends the request trailers ({@code proxy_on_request_trailers}), which end the request.
   *
   * @param trailers the trailers; the stream keeps its own copy
   * @return the decision; empty when the plugin was not called (it had stopped all iteration)
   */
  public Optional<FilterTrailersStatus> sendRequestTrailers(HeaderMap trailers) {
    return step(() -> request.trailers(trailers));
  }

  /**
   * Resumes the request as another filter or the proxy would ({@code continueDecoding}): what is
   * held goes on, and after a {@code STOP_ALL} the plugin gets the body and trailers it has not
   * seen. Nothing happens if the request is not paused.
   */
  public void resumeRequest() {
    step(
        () -> {
          request.resume();
          return null;
        });
  }

  // ---- the response ----

  /**
   * Sends the response headers ({@code proxy_on_response_headers}).
   *
   * @param headers the headers, with {@code :status}; the stream keeps its own copy
   * @param endOfStream whether the response has no body and no trailers
   * @return the plugin's decision
   * @throws IllegalStateException if the request is paused, was answered locally, or its headers
   *     were not sent
   */
  public FilterHeadersStatus sendResponseHeaders(HeaderMap headers, boolean endOfStream) {
    open();
    if (!request.headersReceived) {
      throw new IllegalStateException("send the request headers before the response");
    }
    localResponse()
        .ifPresent(
            r -> {
              throw new IllegalStateException(
                  "the plugin answered locally with "
                      + r.status()
                      + ": there is no upstream response to send");
            });
    if (request.isPaused() || !request.headersForwarded) {
      throw new IllegalStateException(
          "the request is paused by the plugin ("
              + request.stopReason()
              + "), so no upstream has it to answer: answer its callouts (runDue), move time"
              + " (advance), deliver what it waits for, or resumeRequest() first");
    }
    return step(() -> response.headers(headers, endOfStream));
  }

  /**
   * Sends a response body chunk ({@code proxy_on_response_body}).
   *
   * @param chunk the chunk, as UTF-8
   * @param endOfStream whether it is the last part of the response
   * @return the decision and the bodies
   */
  public BodyStep sendResponseBody(String chunk, boolean endOfStream) {
    return sendResponseBody(chunk.getBytes(StandardCharsets.UTF_8), endOfStream);
  }

  /**
   * Sends a response body chunk.
   *
   * @param chunk the chunk
   * @param endOfStream whether it is the last part of the response
   * @return the decision and the bodies
   */
  public BodyStep sendResponseBody(byte[] chunk, boolean endOfStream) {
    return step(() -> response.body(chunk, endOfStream));
  }

  /**
   * Sends the response trailers ({@code proxy_on_response_trailers}).
   *
   * @param trailers the trailers
   * @return the decision; empty when the plugin was not called
   */
  public Optional<FilterTrailersStatus> sendResponseTrailers(HeaderMap trailers) {
    return step(() -> response.trailers(trailers));
  }

  /**
   * Resumes the response as the proxy would ({@code continueEncoding}).
   *
   * @see #resumeRequest()
   */
  public void resumeResponse() {
    step(
        () -> {
          response.resume();
          return null;
        });
  }

  // ---- state ----

  /**
   * Tells whether the stream waits for the plugin: the response, once it has started, else the
   * request.
   *
   * @return true while the current direction is paused
   */
  public boolean isPaused() {
    return response.headersReceived ? response.isPaused() : request.isPaused();
  }

  /**
   * Tells whether the plugin holds the request.
   *
   * @return true while the request is paused
   */
  public boolean isRequestPaused() {
    return request.isPaused();
  }

  /**
   * Tells whether the plugin holds the response.
   *
   * @return true while the response is paused
   */
  public boolean isResponsePaused() {
    return response.isPaused();
  }

  /**
   * Returns what the upstream has been sent of the request.
   *
   * @return the forwarded request
   */
  public Forwarded upstreamRequest() {
    return request.forwarded();
  }

  /**
   * Returns what the client has been sent of the upstream response (a local reply is {@link
   * #localResponse()}).
   *
   * @return the forwarded response
   */
  public Forwarded downstreamResponse() {
    return response.forwarded();
  }

  /**
   * Returns the request headers as they are now, after the plugin's changes.
   *
   * @return the headers; empty before they are sent
   */
  public List<Header> requestHeaders() {
    return request.headers == null ? List.of() : request.headers.entries();
  }

  /**
   * Returns the response headers as they are now, after the plugin's changes.
   *
   * @return the headers; empty before they are sent
   */
  public List<Header> responseHeaders() {
    return response.headers == null ? List.of() : response.headers.entries();
  }

  /**
   * Returns the plugin's local reply (or the fail policy's), if it sent one.
   *
   * @return the reply
   */
  public Optional<LocalResponse> localResponse() {
    return stream.localResponse();
  }

  /**
   * Returns why the plugin stopped serving the stream, if it did.
   *
   * @return the failure
   */
  public Optional<PluginFailure> failure() {
    return stream.failure();
  }

  /**
   * Returns the directions the plugin resumed with {@code proxy_continue_stream}, in order.
   *
   * @return the directions
   */
  public List<StreamType> resumed() {
    return decisions.resumed();
  }

  /**
   * Returns the directions the plugin closed with {@code proxy_close_stream} (the proxy resets the
   * stream), in order.
   *
   * @return the directions
   */
  public List<StreamType> closedByPlugin() {
    return decisions.closed();
  }

  /**
   * Returns the plugin's context id for this stream.
   *
   * @return the id, or 0 if the plugin could not run on the worker
   */
  public int contextId() {
    return stream.contextId();
  }

  /**
   * Returns the host stream, as an embedder holds it.
   *
   * @return the stream
   */
  public HttpStream stream() {
    return stream;
  }

  /**
   * Returns what happened so far, as one result.
   *
   * @return the result
   */
  public ExchangeResult result() {
    Optional<StreamType> paused =
        request.isPaused()
            ? Optional.of(StreamType.REQUEST)
            : response.isPaused() ? Optional.of(StreamType.RESPONSE) : Optional.empty();
    return new ExchangeResult(
        request.headersStatus,
        Optional.ofNullable(request.bodyStatus),
        Optional.ofNullable(request.trailersStatus),
        Optional.ofNullable(response.headersStatus),
        requestHeaders(),
        request.bodyAfterPlugin(),
        responseHeaders(),
        response.bodyAfterPlugin(),
        localResponse(),
        decisions.resumed(),
        host.logs().since(firstLog),
        failure(),
        contextId(),
        paused,
        Optional.ofNullable(response.bodyStatus),
        Optional.ofNullable(response.trailersStatus));
  }

  /**
   * Ends the stream: {@code proxy_on_log} (the access log), then {@code proxy_on_done} and {@code
   * proxy_on_delete}. A stream still paused ends as when the client goes away. Idempotent.
   */
  @Override
  public void close() {
    if (ended) {
      return;
    }
    ended = true;
    try {
      accessLog();
    } finally {
      stream.close();
      host.closed(this);
    }
  }

  // ---- the proxy's side ----

  /** Calls {@code proxy_on_log} once, as the access log does at the end of the stream. */
  void accessLog() {
    if (!logged) {
      logged = true;
      stream.onLog();
    }
  }

  /** One step the test drives: on an open stream, then the resumes the plugin asked for. */
  private <T> T step(Supplier<T> callback) {
    open();
    T result = callback.get();
    applyResumes();
    return result;
  }

  private void open() {
    if (ended) {
      throw new IllegalStateException("the stream is closed");
    }
  }

  /** Applies the resumes the plugin asked for, after its callback returned. */
  boolean applyResumes() {
    boolean moved = false;
    while (!ended && resumesApplied < decisions.resumed().size()) {
      StreamType direction = decisions.resumed().get(resumesApplied++);
      (direction == StreamType.RESPONSE ? response : request).resume();
      moved = true;
    }
    return moved;
  }

  /** Whether the proxy stopped giving this stream to the plugin. */
  private boolean answered() {
    return stream.localResponse().isPresent() || !decisions.closed().isEmpty();
  }

  /** One direction of the stream, as the proxy's filter manager keeps it for this filter. */
  private final class Side {
    private final boolean isResponse;
    private HeaderMap headers;
    private boolean headersReceived;
    private boolean headersForwarded;
    private boolean endReceived;
    private Stop stop = Stop.NONE;
    private BodyBuffer buffer = new BodyBuffer();
    private boolean bodyHeld;
    private HeaderMap trailers;
    private boolean trailersReceived;
    private boolean trailersDelivered;
    private boolean trailersForwarded;
    private boolean forwardedEnd;
    private final ByteArrayOutputStream forwardedBody = new ByteArrayOutputStream();
    private FilterHeadersStatus headersStatus;
    private FilterDataStatus bodyStatus;
    private FilterTrailersStatus trailersStatus;

    Side(boolean isResponse) {
      this.isResponse = isResponse;
    }

    private String name() {
      return isResponse ? "response" : "request";
    }

    boolean isPaused() {
      return !answered()
          && (stop == Stop.HEADERS
              || stop == Stop.ALL
              || stop == Stop.DATA
              || stop == Stop.TRAILERS);
    }

    String stopReason() {
      return switch (stop) {
        case HEADERS, ALL -> "it returned " + headersStatus + " on the " + name() + " headers";
        case DATA -> "it returned " + bodyStatus + " on the " + name() + " body";
        case TRAILERS -> "it returned " + trailersStatus + " on the " + name() + " trailers";
        default -> "it has not let the " + name() + " headers through";
      };
    }

    FilterHeadersStatus headers(HeaderMap given, boolean endOfStream) {
      if (headersReceived) {
        throw new IllegalStateException("the " + name() + " headers were sent already");
      }
      headersReceived = true;
      headers = HeaderMap.of(given.entries());
      endReceived = endOfStream;
      FilterHeadersStatus s =
          isResponse
              ? stream.onResponseHeaders(headers, endOfStream)
              : stream.onRequestHeaders(headers, endOfStream);
      headersStatus = s;
      switch (s) {
        case CONTINUE -> forwardHeaders();
        case CONTINUE_AND_END_STREAM -> {
          forwardHeaders();
          forwardedEnd = true;
          stop = Stop.DROP;
        }
        case STOP_ITERATION -> stop = Stop.HEADERS;
        default -> stop = Stop.ALL;
      }
      return s;
    }

    BodyStep body(byte[] chunk, boolean endOfStream) {
      requireMore("a body chunk");
      endReceived = endOfStream;
      if (answered() || stop == Stop.DROP) {
        return new BodyStep(Optional.empty(), new byte[0], new byte[0]);
      }
      buffer.append(chunk);
      if (stop == Stop.ALL) {
        bodyHeld = true;
        return new BodyStep(Optional.empty(), new byte[0], buffer.bytes());
      }
      return deliverBody(endOfStream);
    }

    private BodyStep deliverBody(boolean endOfStream) {
      FilterDataStatus s =
          isResponse
              ? stream.onResponseBody(buffer, endOfStream)
              : stream.onRequestBody(buffer, endOfStream);
      bodyStatus = s;
      byte[] seen = buffer.bytes();
      if (answered()) {
        buffer = new BodyBuffer();
        return new BodyStep(Optional.of(s), seen, new byte[0]);
      }
      switch (s) {
        case CONTINUE -> {
          stop = Stop.NONE;
          forwardHeaders();
          forwardBuffer();
          if (endOfStream) {
            forwardedEnd = true;
          }
        }
        case STOP_ITERATION_NO_BUFFER -> {
          buffer = new BodyBuffer();
          stop = Stop.DATA;
        }
        default -> stop = Stop.DATA;
      }
      return new BodyStep(Optional.of(s), seen, buffer.bytes());
    }

    Optional<FilterTrailersStatus> trailers(HeaderMap given) {
      requireMore("trailers");
      endReceived = true;
      trailersReceived = true;
      trailers = HeaderMap.of(given.entries());
      if (answered() || stop == Stop.DROP || stop == Stop.ALL) {
        return Optional.empty();
      }
      return Optional.of(deliverTrailers());
    }

    private FilterTrailersStatus deliverTrailers() {
      trailersDelivered = true;
      FilterTrailersStatus s =
          isResponse ? stream.onResponseTrailers(trailers) : stream.onRequestTrailers(trailers);
      trailersStatus = s;
      if (answered()) {
        return s;
      }
      if (s == FilterTrailersStatus.CONTINUE) {
        stop = Stop.NONE;
        forwardHeaders();
        forwardBuffer();
        forwardTrailers();
      } else {
        stop = Stop.TRAILERS;
      }
      return s;
    }

    private void requireMore(String what) {
      if (!headersReceived) {
        throw new IllegalStateException("send the " + name() + " headers before " + what);
      }
      if (endReceived) {
        throw new IllegalStateException(
            "the " + name() + " has ended already (end of stream or trailers): no more " + what);
      }
    }

    /** The proxy's {@code continueDecoding()} / {@code continueEncoding()}. */
    void resume() {
      if (!isPaused()) {
        return;
      }
      Stop was = stop;
      stop = Stop.NONE;
      forwardHeaders();
      if (was == Stop.ALL) {
        // Iteration starts again at this filter: it gets what it has not seen.
        if (bodyHeld) {
          bodyHeld = false;
          deliverBody(endReceived && !trailersReceived);
          if (isPaused() || answered()) {
            return;
          }
        }
        if (trailersReceived && !trailersDelivered) {
          deliverTrailers();
        } else if (endReceived && !trailersReceived) {
          forwardedEnd = true;
        }
        return;
      }
      // Iteration goes on after this filter: what it held goes on.
      forwardBuffer();
      if (trailersDelivered && !trailersForwarded) {
        forwardTrailers();
      } else if (endReceived && !trailersReceived) {
        forwardedEnd = true;
      }
    }

    private void forwardHeaders() {
      if (!headersForwarded && !answered()) {
        headersForwarded = true;
        if (endReceived && buffer.length() == 0 && !trailersReceived && !bodyHeld) {
          forwardedEnd = true;
        }
      }
    }

    private void forwardBuffer() {
      if (buffer.length() > 0 && !answered()) {
        forwardedBody.writeBytes(buffer.bytes());
      }
      buffer = new BodyBuffer();
    }

    private void forwardTrailers() {
      if (!answered()) {
        trailersForwarded = true;
        forwardedEnd = true;
      }
    }

    Forwarded forwarded() {
      return new Forwarded(
          headersForwarded,
          headersForwarded ? headers.entries() : List.of(),
          forwardedBody.toByteArray(),
          trailersForwarded ? trailers.entries() : List.of(),
          forwardedEnd);
    }

    /** The body as the plugin left it: what went on, then what the proxy still holds. */
    byte[] bodyAfterPlugin() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(forwardedBody.toByteArray());
      out.writeBytes(buffer.bytes());
      return out.toByteArray();
    }
  }
}

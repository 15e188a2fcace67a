package io.proxywasm.gateway;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.FilterTrailersStatus;
import io.vertx.core.buffer.Buffer;

/**
 * One direction of an exchange through its wasm filters, as Envoy's filter manager drives it: the
 * request passes the filters in their configured order, the response in reverse order. A filter
 * that stops holds the rest of the direction (its headers, body, trailers) until it resumes; past
 * the last filter the request goes to the router ({@link ExchangeUpstream}) and the response to the
 * client ({@link ExchangeResponse}).
 */
final class FilterChain {
  private static final byte[] NONE = new byte[0];

  /**
   * One wasm filter in one direction: what it holds while it stops, as Envoy's filter manager holds
   * it for a stopped filter.
   */
  private static final class Stage {
    final HttpStream stream;
    HeaderMap headers;

    /** The headers stopped here (StopIteration: the body still reaches the plugin). */
    boolean headersStopped;

    /** StopAllIteration: the body waits too. */
    boolean stopAll;

    /** The body stopped here (StopIterationNoBuffer). */
    boolean bodyStopped;

    /** The trailers stopped here. */
    boolean trailersStopped;

    boolean eosInHeaders;
    boolean endSeen;
    boolean endPassed;

    /** Body the plugin asked to buffer (StopIterationAndBuffer); it sees it again with more. */
    BodyBuffer buffered;

    /** Body that arrived while the plugin was not to see it yet. */
    BodyBuffer pending;

    boolean pendingEnd;
    HeaderMap heldTrailers;
    boolean trailersSeen;

    Stage(HttpStream stream) {
      this.stream = stream;
    }

    boolean holdsBody() {
      return (headersStopped && stopAll) || bodyStopped || trailersStopped;
    }
  }

  private static final Stage[] NO_STAGES = new Stage[0];

  private final Exchange ex;
  private final boolean request;
  private final Stage[] stages;

  /**
   * The chain of one direction over an exchange's streams, given in the configured order.
   *
   * @param request the request direction (the streams in order), else the response (reversed)
   */
  FilterChain(Exchange ex, boolean request, HttpStream[] streams) {
    this.ex = ex;
    this.request = request;
    int n = streams.length;
    this.stages = n == 0 ? NO_STAGES : new Stage[n];
    for (int i = 0; i < n; i++) {
      stages[request ? i : n - 1 - i] = new Stage(streams[i]);
    }
  }

  /** Data from the source of this direction; with no filters, it goes on as it is. */
  void data(Buffer data, boolean eos) {
    if (stages.length == 0) {
      out(data, eos);
    } else {
      dataAt(0, data.getBytes(), eos);
    }
  }

  /** The end of this direction's data, with no trailers. */
  void end() {
    dataAt(0, NONE, true);
  }

  private void out(Buffer data, boolean eos) {
    if (request) {
      ex.upstream.sendUp(data, eos);
    } else {
      ex.response.sendDown(data, eos);
    }
  }

  private void headersOut(boolean eos) {
    if (request) {
      ex.upstream.continueRequestHeaders(eos);
    } else {
      ex.response.downstreamHeaders(eos);
    }
  }

  private void trailersOut(HeaderMap t) {
    if (request) {
      ex.upstream.sendTrailersUp(t);
    } else {
      ex.response.downstreamTrailers(t);
    }
  }

  /** Headers reach the k-th filter (k past the last: the router or downstream). */
  void headersAt(int k, HeaderMap h, boolean eos) {
    if (k == stages.length) {
      headersOut(eos);
      return;
    }
    Stage s = stages[k];
    s.headers = h;
    s.eosInHeaders = eos;
    s.endSeen = eos;
    FilterHeadersStatus r;
    ex.calls.enter();
    try {
      r = request ? s.stream.onRequestHeaders(h, eos) : s.stream.onResponseHeaders(h, eos);
    } finally {
      ex.calls.exit();
    }
    if (ex.afterCall()) {
      return;
    }
    if (r == FilterHeadersStatus.CONTINUE || r == FilterHeadersStatus.CONTINUE_AND_END_STREAM) {
      s.endPassed = eos;
      headersAt(k + 1, h, eos);
    } else {
      s.headersStopped = true;
      s.stopAll = r != FilterHeadersStatus.STOP_ITERATION;
    }
  }

  /** Body data reaches the k-th filter. */
  void dataAt(int k, byte[] bytes, boolean eos) {
    if (k == stages.length) {
      out(Buffer.buffer(bytes), eos);
      return;
    }
    Stage s = stages[k];
    if (s.endPassed) {
      return;
    }
    s.endSeen |= eos;
    if (s.holdsBody()) {
      if (s.pending == null) {
        s.pending = new BodyBuffer();
      }
      s.pending.append(bytes);
      s.pendingEnd |= eos;
      if (s.pending.length() > Exchange.WATERMARK) {
        if (request) {
          ex.request.pauseReading();
        } else {
          ex.upstream.pauseResponse();
        }
      }
      return;
    }
    BodyBuffer buf;
    if (s.buffered != null) {
      s.buffered.append(bytes);
      buf = s.buffered;
    } else {
      buf = new BodyBuffer(bytes);
    }
    FilterDataStatus r;
    ex.calls.enter();
    try {
      r = request ? s.stream.onRequestBody(buf, eos) : s.stream.onResponseBody(buf, eos);
    } finally {
      ex.calls.exit();
    }
    if (ex.afterCall()) {
      return;
    }
    switch (r) {
      case CONTINUE -> {
        s.buffered = null;
        if (s.headersStopped) {
          s.headersStopped = false;
          headersAt(k + 1, s.headers, false);
          if (ex.over()) {
            return;
          }
        }
        s.endPassed |= eos;
        dataAt(k + 1, buf.bytes(), eos);
      }
      case STOP_ITERATION_NO_BUFFER -> {
        s.buffered = null;
        s.bodyStopped = true;
      }
      default -> s.buffered = buf; // held until the plugin continues (the host enforces the limit)
    }
  }

  /** Trailers reach the k-th filter. */
  void trailersAt(int k, HeaderMap t) {
    if (k == stages.length) {
      trailersOut(t);
      return;
    }
    Stage s = stages[k];
    s.endSeen = true;
    if (s.holdsBody()) {
      s.heldTrailers = t;
      return;
    }
    FilterTrailersStatus r;
    ex.calls.enter();
    try {
      r = request ? s.stream.onRequestTrailers(t) : s.stream.onResponseTrailers(t);
    } finally {
      ex.calls.exit();
    }
    if (ex.afterCall()) {
      return;
    }
    s.trailersSeen = true;
    if (r != FilterTrailersStatus.CONTINUE) {
      s.heldTrailers = t;
      s.trailersStopped = true;
      return;
    }
    if (s.headersStopped) {
      s.headersStopped = false;
      headersAt(k + 1, s.headers, false);
      if (ex.over()) {
        return;
      }
    }
    trailersOn(k, s, t);
  }

  /** The trailers a filter saw go on, after the body it buffered. */
  private void trailersOn(int k, Stage s, HeaderMap t) {
    if (s.buffered != null) {
      byte[] b = s.buffered.bytes();
      s.buffered = null;
      dataAt(k + 1, b, false);
      if (ex.over()) {
        return;
      }
    }
    s.endPassed = true;
    trailersAt(k + 1, t);
  }

  /** The k-th filter continues: what it held goes on, in order. */
  void resumeAt(int k) {
    Stage s = stages[k];
    s.bodyStopped = false;
    s.trailersStopped = false;
    if (s.headersStopped) {
      s.headersStopped = false;
      s.endPassed |= s.eosInHeaders;
      headersAt(k + 1, s.headers, s.eosInHeaders);
      if (ex.over()) {
        return;
      }
    }
    if (s.buffered != null) {
      byte[] b = s.buffered.bytes();
      s.buffered = null;
      boolean end = s.endSeen && s.pending == null && s.heldTrailers == null;
      s.endPassed |= end;
      dataAt(k + 1, b, end);
      if (ex.over()) {
        return;
      }
    }
    if (s.pending != null) {
      BodyBuffer p = s.pending;
      boolean end = s.pendingEnd;
      s.pending = null;
      s.pendingEnd = false;
      dataAt(k, p.bytes(), end); // the plugin sees it now
      if (ex.over() || s.holdsBody()) {
        return;
      }
    }
    if (s.heldTrailers != null) {
      HeaderMap t = s.heldTrailers;
      s.heldTrailers = null;
      if (s.trailersSeen) {
        trailersOn(k, s, t);
      } else {
        trailersAt(k, t);
      }
      return;
    }
    if (s.endSeen && !s.endPassed && s.buffered == null && !s.headersStopped) {
      s.endPassed = true;
      dataAt(k + 1, NONE, true);
    }
  }

  /** Bytes the filters hold in this direction, before the router or the client. */
  long held() {
    long n = 0;
    for (Stage s : stages) {
      n += s.pending == null ? 0 : s.pending.length();
    }
    return n;
  }
}

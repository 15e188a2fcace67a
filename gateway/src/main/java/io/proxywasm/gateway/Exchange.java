package io.proxywasm.gateway;

import io.proxywasm.gateway.config.GatewaySpec.Endpoint;
import io.proxywasm.gateway.config.GatewaySpec.RouteSpec;
import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.FilterTrailersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.StreamType;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One request through a listener: the downstream request, the wasm filters' streams, the upstream
 * request and the response, as Envoy's connection manager drives its filter chain with the wasm
 * filters and the router. The request passes the filters in their configured order, the response in
 * reverse order; a filter that stops holds the rest of its direction until it resumes. Runs on its
 * event loop; plugin decisions that arrive from other threads (callout answers) are moved onto it.
 */
final class Exchange implements PropertyResolver {
  /** Hop-by-hop headers, never forwarded (RFC 9110 section 7.6.1). */
  static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "transfer-encoding",
          "upgrade",
          "te",
          "trailer",
          "proxy-authenticate",
          "proxy-authorization",
          "http2-settings");

  /** How much request or response data is held while a direction is paused before reading stops. */
  static final int WATERMARK = 1 << 20;

  private final Loop loop;
  private final ListenerRuntime listener;
  private final HttpServerRequest req;
  private final HttpServerResponse resp;
  private final Context ctx;
  private final long startNanos = System.nanoTime();
  private final long startMillis = System.currentTimeMillis();

  private LivePlugin live;
  private HttpStream[] streams = new HttpStream[0];
  private Stage[] reqStages = new Stage[0];
  private Stage[] respStages = new Stage[0];
  private HeaderMap reqHeaders;
  private RouteSpec route;
  private ClusterRuntime cluster;
  private int endpointIndex = -1;
  private String requestId;

  // request direction
  private boolean readingPausedByUs;
  private boolean headersOnly;
  private long requestBytes;

  // upstream
  private boolean upstreamStarted;
  private HttpClientRequest upReq;
  private final List<Buffer> upQueue = new ArrayList<>();
  private boolean upQueueEnd;
  private boolean upEndSent;
  private boolean upWritten;
  private HttpClientResponse upResp;
  private long upStartNanos;
  private long timerId = -1;
  private boolean upActive;

  // response direction
  private boolean respToPlugin;
  private boolean upstreamEnded;
  private HeaderMap respHeaders;
  private boolean respHeadersSent;
  private boolean respNoBody;
  private int status;
  private String details = "";
  private long responseBytes;

  private boolean inPluginCall;
  private LocalResponse pendingLocal;
  private int pendingLocalFilter;
  private final List<int[]> pendingResumes = new ArrayList<>();
  private boolean localReplied;
  private boolean finished;

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

  Exchange(Loop loop, ListenerRuntime listener, HttpServerRequest req) {
    this.loop = loop;
    this.listener = listener;
    this.req = req;
    this.resp = req.response();
    this.ctx = loop.context;
  }

  // ------------------------------------------------------------------ start

  void start() {
    req.pause();
    readingPausedByUs = true;
    listener.rqTotal.add(1);
    listener.rqActive.add(1);
    req.handler(this::onDownstreamData);
    req.endHandler(v -> onDownstreamEnd());
    req.exceptionHandler(e -> abort("downstream error: " + e.getMessage()));
    resp.closeHandler(v -> abort("downstream connection closed"));
    resp.exceptionHandler(e -> abort("downstream write failed: " + e.getMessage()));

    reqHeaders = requestHeaders();
    String path = reqHeaders.get(":path").orElse("/");
    int q = path.indexOf('?');
    route =
        listener.route(
            reqHeaders.get(":authority").orElse(""), q < 0 ? path : path.substring(0, q));
    if (route != null && route.cluster() != null) {
      cluster = loop.gateway.cluster(route.cluster());
    }

    live = LivePlugin.acquire(listener.plugin);
    int n = live == null ? 0 : live.plugins.size();
    streams = new HttpStream[n];
    reqStages = new Stage[n];
    respStages = new Stage[n];
    for (int i = 0; i < n; i++) {
      streams[i] =
          loop.worker.handle(live.plugins.get(i)).newHttpStream(new FilterListener(i), this);
      reqStages[i] = new Stage(streams[i]);
      respStages[n - 1 - i] = new Stage(streams[i]);
    }
    boolean endOfStream = !hasRequestBody();
    headersOnly = endOfStream;
    if (headersOnly) {
      // nothing to hold back: the connection reads on (the end of the request is ignored)
      resumeReading();
    }
    headersAt(true, 0, reqHeaders, endOfStream);
    if (!over() && !headersOnly) {
      // a filter that stopped on the headers still sees the body as it arrives
      resumeReading();
    }
  }

  private boolean hasRequestBody() {
    if (req.isEnded()) {
      return false;
    }
    if (req.version() == HttpVersion.HTTP_2) {
      return true;
    }
    String cl = req.headers().get("content-length");
    if (cl != null) {
      return !cl.trim().equals("0");
    }
    String te = req.headers().get("transfer-encoding");
    return te != null && te.toLowerCase().contains("chunked");
  }

  private HeaderMap requestHeaders() {
    HeaderMap h = new HeaderMap();
    HostAndPort authority = req.authority();
    String auth = req.headers().get("host");
    if (auth == null && authority != null) {
      auth = authority.port() > 0 ? authority.host() + ":" + authority.port() : authority.host();
    }
    h.add(":authority", auth == null ? "" : auth);
    h.add(":path", req.uri());
    h.add(":method", req.method().name());
    h.add(":scheme", req.scheme() == null ? "http" : req.scheme());
    String connectionTokens = req.headers().get("connection");
    for (Map.Entry<String, String> e : req.headers()) {
      String name = e.getKey().toLowerCase();
      if (name.equals("host") || HOP_BY_HOP.contains(name) || name.startsWith(":")) {
        if (name.equals("te") && e.getValue().trim().equalsIgnoreCase("trailers")) {
          h.add(name, e.getValue());
        }
        continue;
      }
      if (connectionTokens != null && listsToken(connectionTokens, name)) {
        continue;
      }
      h.add(name, e.getValue());
    }
    if (h.indexOf("x-forwarded-proto") < 0) {
      h.add("x-forwarded-proto", req.scheme() == null ? "http" : req.scheme());
    }
    if (listener.spec.useRemoteAddress()) {
      SocketAddress peer = req.remoteAddress();
      if (peer != null && peer.hostAddress() != null) {
        Optional<String> xff = h.get("x-forwarded-for");
        h.set(
            "x-forwarded-for",
            xff.map(v -> v + "," + peer.hostAddress()).orElse(peer.hostAddress()));
      }
      // an edge proxy does not trust x-envoy-* headers from the outside
      List<String> internal = new ArrayList<>();
      for (Header e : h.view()) {
        if (e.name().startsWith("x-envoy-")) {
          internal.add(e.name());
        }
      }
      internal.forEach(h::remove);
    }
    requestId = h.get("x-request-id").orElse(null);
    if (requestId == null) {
      requestId = uuid();
      h.add("x-request-id", requestId);
    }
    return h;
  }

  private static boolean listsToken(String header, String name) {
    for (String t : header.split(",")) {
      if (t.trim().equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  private static String uuid() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xf000L) | 0x4000L;
    long lo = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new java.util.UUID(hi, lo).toString();
  }

  // ------------------------------------------------------------------ plugin calls

  private <T> T call(java.util.function.Supplier<T> c) {
    inPluginCall = true;
    try {
      return c.get();
    } finally {
      inPluginCall = false;
    }
  }

  /** True once nothing more goes through the filters: a local reply went out or it ended. */
  private boolean over() {
    return finished || localReplied;
  }

  /**
   * Applies a local reply or resumes recorded during the last call; true if the exchange is over.
   */
  private boolean afterCall() {
    for (int i = 0; i < streams.length; i++) {
      if (streams[i].failure().isPresent()) {
        String msg = streams[i].failure().get().message();
        if (!msg.equals(live.lastFailure.get(i))) {
          live.lastFailure.set(i, msg);
        }
      }
    }
    if (pendingLocal != null) {
      LocalResponse r = pendingLocal;
      pendingLocal = null;
      applyLocal(r, pendingLocalFilter);
      return true;
    }
    if (over()) {
      return true;
    }
    if (!pendingResumes.isEmpty()) {
      List<int[]> p = new ArrayList<>(pendingResumes);
      pendingResumes.clear();
      ctx.runOnContext(
          v -> {
            for (int[] r : p) {
              resume(r[0], r[1] == 0 ? StreamType.REQUEST : StreamType.RESPONSE);
            }
          });
    }
    return false;
  }

  private boolean onMyLoop() {
    return Vertx.currentContext() == ctx;
  }

  /** The decisions of one filter's stream, besides its return values. */
  private final class FilterListener implements HttpStreamListener {
    private final int filter;

    FilterListener(int filter) {
      this.filter = filter;
    }

    @Override
    public void onLocalResponse(LocalResponse response) {
      if (onMyLoop() && inPluginCall) {
        if (pendingLocal == null) {
          pendingLocal = response;
          pendingLocalFilter = filter;
        }
      } else {
        ctx.runOnContext(v -> applyLocal(response, filter));
      }
    }

    @Override
    public void onResume(StreamType direction) {
      if (onMyLoop() && inPluginCall) {
        pendingResumes.add(new int[] {filter, direction == StreamType.REQUEST ? 0 : 1});
      } else {
        ctx.runOnContext(v -> resume(filter, direction));
      }
    }

    @Override
    public void onClose(StreamType direction) {
      ctx.runOnContext(v -> abort("the plugin closed the stream"));
    }
  }

  // ------------------------------------------------------------------ the filter chain

  private Stage[] stages(boolean request) {
    return request ? reqStages : respStages;
  }

  /** Headers reach the k-th filter of a direction (k past the last: the router or downstream). */
  private void headersAt(boolean request, int k, HeaderMap h, boolean eos) {
    Stage[] st = stages(request);
    if (k == st.length) {
      if (request) {
        continueRequestHeaders(eos);
      } else {
        downstreamHeaders(eos);
      }
      return;
    }
    Stage s = st[k];
    s.headers = h;
    s.eosInHeaders = eos;
    s.endSeen = eos;
    FilterHeadersStatus r =
        call(
            () -> request ? s.stream.onRequestHeaders(h, eos) : s.stream.onResponseHeaders(h, eos));
    if (afterCall()) {
      return;
    }
    if (r == FilterHeadersStatus.CONTINUE || r == FilterHeadersStatus.CONTINUE_AND_END_STREAM) {
      s.endPassed = eos;
      headersAt(request, k + 1, h, eos);
    } else {
      s.headersStopped = true;
      s.stopAll = r != FilterHeadersStatus.STOP_ITERATION;
    }
  }

  /** Body data reaches the k-th filter of a direction. */
  private void dataAt(boolean request, int k, byte[] bytes, boolean eos) {
    Stage[] st = stages(request);
    if (k == st.length) {
      if (request) {
        sendUp(bytes, eos);
      } else {
        sendDown(bytes, eos);
      }
      return;
    }
    Stage s = st[k];
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
      if (s.pending.length() > WATERMARK) {
        if (request) {
          pauseReading();
        } else if (upResp != null) {
          upResp.pause();
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
    FilterDataStatus r =
        call(() -> request ? s.stream.onRequestBody(buf, eos) : s.stream.onResponseBody(buf, eos));
    if (afterCall()) {
      return;
    }
    switch (r) {
      case CONTINUE -> {
        s.buffered = null;
        if (s.headersStopped) {
          s.headersStopped = false;
          headersAt(request, k + 1, s.headers, false);
          if (over()) {
            return;
          }
        }
        s.endPassed |= eos;
        dataAt(request, k + 1, buf.bytes(), eos);
      }
      case STOP_ITERATION_NO_BUFFER -> {
        s.buffered = null;
        s.bodyStopped = true;
      }
      default -> s.buffered = buf; // held until the plugin continues (the host enforces the limit)
    }
  }

  /** Trailers reach the k-th filter of a direction. */
  private void trailersAt(boolean request, int k, HeaderMap t) {
    Stage[] st = stages(request);
    if (k == st.length) {
      if (request) {
        sendTrailersUp(t);
      } else {
        downstreamTrailers(t);
      }
      return;
    }
    Stage s = st[k];
    s.endSeen = true;
    if (s.holdsBody()) {
      s.heldTrailers = t;
      return;
    }
    FilterTrailersStatus r =
        call(() -> request ? s.stream.onRequestTrailers(t) : s.stream.onResponseTrailers(t));
    if (afterCall()) {
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
      headersAt(request, k + 1, s.headers, false);
      if (over()) {
        return;
      }
    }
    if (s.buffered != null) {
      byte[] b = s.buffered.bytes();
      s.buffered = null;
      dataAt(request, k + 1, b, false);
      if (over()) {
        return;
      }
    }
    s.endPassed = true;
    trailersAt(request, k + 1, t);
  }

  /** A filter continues a direction: what it held goes on, in order. */
  private void resumeStage(boolean request, int k) {
    Stage s = stages(request)[k];
    s.bodyStopped = false;
    s.trailersStopped = false;
    if (s.headersStopped) {
      s.headersStopped = false;
      s.endPassed |= s.eosInHeaders;
      headersAt(request, k + 1, s.headers, s.eosInHeaders);
      if (over()) {
        return;
      }
    }
    if (s.buffered != null) {
      byte[] b = s.buffered.bytes();
      s.buffered = null;
      boolean end = s.endSeen && s.pending == null && s.heldTrailers == null;
      s.endPassed |= end;
      dataAt(request, k + 1, b, end);
      if (over()) {
        return;
      }
    }
    if (s.pending != null) {
      BodyBuffer p = s.pending;
      boolean end = s.pendingEnd;
      s.pending = null;
      s.pendingEnd = false;
      dataAt(request, k, p.bytes(), end); // the plugin sees it now
      if (over() || s.holdsBody()) {
        return;
      }
    }
    if (s.heldTrailers != null) {
      HeaderMap t = s.heldTrailers;
      s.heldTrailers = null;
      if (s.trailersSeen) {
        if (s.buffered != null) {
          byte[] b = s.buffered.bytes();
          s.buffered = null;
          dataAt(request, k + 1, b, false);
          if (over()) {
            return;
          }
        }
        s.endPassed = true;
        trailersAt(request, k + 1, t);
      } else {
        trailersAt(request, k, t);
      }
      return;
    }
    if (s.endSeen && !s.endPassed && s.buffered == null && !s.headersStopped) {
      s.endPassed = true;
      dataAt(request, k + 1, new byte[0], true);
    }
  }

  /** Bytes held in a direction by the filters, before the router or the downstream. */
  private long held(boolean request) {
    long n = 0;
    for (Stage s : stages(request)) {
      n += s.pending == null ? 0 : s.pending.length();
    }
    return n;
  }

  private void resume(int filter, StreamType direction) {
    if (over()) {
      return;
    }
    if (direction == StreamType.REQUEST) {
      resumeStage(true, filter);
      if (!over()) {
        resumeReading();
      }
    } else {
      resumeStage(false, streams.length - 1 - filter);
      resumeUpstreamReading();
    }
  }

  private void resumeUpstreamReading() {
    if (upResp != null
        && !over()
        && held(false) <= WATERMARK
        && !(respHeadersSent && resp.writeQueueFull())) {
      upResp.resume();
    }
  }

  // ------------------------------------------------------------------ request direction

  private void onDownstreamData(Buffer data) {
    if (finished) {
      return;
    }
    requestBytes += data.length();
    if (headersOnly || upEndSent || isLocalOnly() || localReplied) {
      return; // a direct or local reply: the rest of the request is read and dropped
    }
    dataAt(true, 0, data.getBytes(), false);
  }

  private void onDownstreamEnd() {
    if (finished) {
      return;
    }
    if (headersOnly || upEndSent || isLocalOnly() || localReplied) {
      return;
    }
    // Vert.x core gives a server no request trailers: the request ends with its last data
    dataAt(true, 0, new byte[0], true);
  }

  private boolean isLocalOnly() {
    return upstreamStarted && cluster == null;
  }

  private void continueRequestHeaders(boolean endOfStream) {
    if (upstreamStarted) {
      return;
    }
    upstreamStarted = true;
    if (route == null) {
      details = "route_not_found";
      respondFromRouter(404, "", endOfStream);
      return;
    }
    if (route.cluster() == null) {
      details = "direct_response";
      respondFromRouter(route.directStatus(), route.directBody(), endOfStream);
      return;
    }
    startUpstream(endOfStream);
  }

  /**
   * A reply the router makes itself (no route, direct response): it goes through the plugin's
   * response callbacks.
   */
  private void respondFromRouter(int code, String body, boolean endOfStream) {
    cluster = null;
    upEndSent = true;
    resumeReading();
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    HeaderMap h = HeaderMap.of(":status", Integer.toString(code));
    if (b.length > 0) {
      h.add("content-type", "text/plain");
    }
    h.add("content-length", Integer.toString(b.length));
    responseHeaders(h, b.length == 0);
    if (b.length > 0 && !over()) {
      dataAt(false, 0, b, true);
    }
  }

  private void startUpstream(boolean endOfStream) {
    endpointIndex = cluster.pick();
    Endpoint ep = cluster.endpoint(endpointIndex);
    cluster.started(endpointIndex);
    cluster.rqTotal.add(1);
    cluster.rqActive.add(1);
    upActive = true;
    upStartNanos = System.nanoTime();
    String path = reqHeaders.get(":path").orElse("/");
    if (route.prefixRewrite() != null && path.startsWith(route.match())) {
      path = route.prefixRewrite() + path.substring(route.match().length());
      if (path.isEmpty() || path.charAt(0) != '/') {
        path = "/" + path;
      }
    }
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(reqHeaders.get(":method").orElse("GET")))
            .setHost(ep.host())
            .setPort(ep.port())
            .setURI(path);
    String authority = reqHeaders.get(":authority").orElse("");
    boolean hasLength = false;
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (Header e : reqHeaders.view()) {
      String n = e.name();
      if (n.startsWith(":") || HOP_BY_HOP.contains(n)) {
        continue;
      }
      if (n.equals("content-length")) {
        hasLength = true;
      }
      headers.add(n, e.value());
    }
    if (!route.timeout().isZero()) {
      headers.set("x-envoy-expected-rq-timeout-ms", Long.toString(route.timeout().toMillis()));
    }
    o.setHeaders(headers);
    if (!authority.isEmpty()) {
      headers.set("host", authority);
    }
    boolean chunked = !hasLength && !endOfStream;
    if (!route.timeout().isZero()) {
      timerId =
          loop.vertx.setTimer(
              route.timeout().toMillis(),
              id -> {
                timerId = -1;
                cluster.rqTimeout.add(1);
                upstreamFailed(504, "upstream request timeout", "upstream_response_timeout");
              });
    }
    cluster
        .client
        .request(o)
        .onComplete(
            ar -> {
              if (finished) {
                if (ar.succeeded()) {
                  ar.result().reset();
                }
                return;
              }
              if (ar.failed()) {
                cluster.cxConnectFail.add(1);
                upstreamFailed(
                    503,
                    "upstream connect error or disconnect/reset before headers. reset reason:"
                        + " connection failure",
                    "upstream_reset_before_response_started{connection_failure}");
                return;
              }
              HttpClientRequest r = ar.result();
              upReq = r;
              if (r.version() == HttpVersion.HTTP_2) {
                authority(r, authority);
              }
              if (chunked && r.version() != HttpVersion.HTTP_2) {
                r.setChunked(true);
              }
              r.exceptionHandler(
                  e ->
                      upstreamFailed(
                          503,
                          "upstream connect error or disconnect/reset before headers. reset reason:"
                              + " connection termination",
                          "upstream_reset_before_response_started{connection_termination}"));
              r.response()
                  .onSuccess(this::onUpstreamResponse)
                  .onFailure(
                      e ->
                          upstreamFailed(
                              503,
                              "upstream connect error or disconnect/reset before headers. reset"
                                  + " reason: remote reset",
                              "upstream_reset_before_response_started{remote_reset}"));
              r.drainHandler(v -> resumeReading());
              if (endOfStream) {
                upQueueEnd = true;
              }
              flushUp();
            });
    if (!endOfStream) {
      resumeReading();
    }
  }

  /**
   * An HTTP/2 upstream request carries the authority as {@code :authority}, not as a host header
   * that would differ from it.
   */
  static void authority(HttpClientRequest r, String authority) {
    r.headers().remove("host");
    if (!authority.isEmpty()) {
      HostAndPort a = HostAndPort.parseAuthority(authority, -1);
      if (a != null) {
        r.authority(a);
      }
    }
  }

  private void sendUp(byte[] bytes, boolean eos) {
    if (upEndSent) {
      return;
    }
    if (bytes.length > 0) {
      upQueue.add(Buffer.buffer(bytes));
    }
    upQueueEnd |= eos;
    if (upReq != null) {
      flushUp();
    } else if (queuedBytes() > WATERMARK) {
      pauseReading();
    }
  }

  /**
   * Request trailers leave the filters: the body ends there, as a Vert.x client request cannot
   * carry trailers upstream.
   */
  private void sendTrailersUp(HeaderMap t) {
    sendUp(new byte[0], true);
  }

  private long queuedBytes() {
    long n = 0;
    for (Buffer b : upQueue) {
      n += b.length();
    }
    return n;
  }

  private void flushUp() {
    if (upReq == null || upEndSent) {
      return;
    }
    if (!upWritten && upQueueEnd && upReq.headers().contains("content-length")) {
      long total = queuedBytes();
      upReq.headers().set("content-length", Long.toString(total));
    }
    for (Buffer b : upQueue) {
      upWritten = true;
      upReq.write(b);
    }
    upQueue.clear();
    if (upQueueEnd) {
      upEndSent = true;
      upReq.end();
    } else if (upReq.writeQueueFull()) {
      pauseReading();
    } else {
      resumeReading();
    }
  }

  private void pauseReading() {
    if (!readingPausedByUs) {
      readingPausedByUs = true;
      req.pause();
    }
  }

  private void resumeReading() {
    if (readingPausedByUs && !finished) {
      if ((upReq != null && upReq.writeQueueFull())
          || held(true) > WATERMARK
          || queuedBytes() > WATERMARK) {
        return;
      }
      readingPausedByUs = false;
      req.resume();
    }
  }

  // ------------------------------------------------------------------ response direction

  private void onUpstreamResponse(HttpClientResponse r) {
    if (finished) {
      r.request().reset();
      return;
    }
    upResp = r;
    r.pause();
    int code = r.statusCode();
    int cls = code / 100;
    if (cls >= 1 && cls <= 5) {
      cluster.rqByClass[cls].add(1);
    }
    HeaderMap h = HeaderMap.of(":status", Integer.toString(code));
    String connectionTokens = r.headers().get("connection");
    for (Map.Entry<String, String> e : r.headers()) {
      String n = e.getKey().toLowerCase();
      if (HOP_BY_HOP.contains(n) || n.startsWith(":")) {
        continue;
      }
      if (connectionTokens != null && listsToken(connectionTokens, n)) {
        continue;
      }
      h.add(n, e.getValue());
    }
    h.set(
        "x-envoy-upstream-service-time",
        Long.toString((System.nanoTime() - upStartNanos) / 1_000_000));
    r.handler(
        b -> {
          if (!over()) {
            dataAt(false, 0, b.getBytes(), false);
          }
        });
    r.endHandler(
        v -> {
          upstreamEnded = true;
          endUpstream();
          if (over()) {
            return;
          }
          MultiMap t = r.trailers();
          if (t != null && !t.isEmpty()) {
            HeaderMap tm = new HeaderMap();
            t.forEach(e -> tm.add(e.getKey(), e.getValue()));
            trailersAt(false, 0, tm);
          } else {
            dataAt(false, 0, new byte[0], true);
          }
        });
    r.exceptionHandler(
        e -> upstreamFailed(503, "upstream reset", "upstream_reset_after_response_started"));
    boolean noBody =
        code == 204
            || code == 304
            || code / 100 == 1
            || req.method() == HttpMethod.HEAD
            || "0".equals(r.headers().get("content-length"));
    respNoBody = noBody;
    responseHeaders(h, false);
    if (!over()) {
      // the body streams through the filters; a stopped filter holds it up to the watermark
      r.resume();
    }
  }

  private void responseHeaders(HeaderMap h, boolean eos) {
    respHeaders = h;
    respToPlugin = true;
    status = Integer.parseInt(h.get(":status").orElse("200"));
    headersAt(false, 0, h, eos);
  }

  /** The response headers leave the filters. */
  private void downstreamHeaders(boolean eos) {
    if (streams.length > 0 && !eos && !respNoBody && respHeaders.indexOf("content-length") >= 0) {
      // the body may still be rewritten: the headers go with its first piece, and a body a filter
      // held whole gets its real length
      return;
    }
    sendHeadersDown(eos);
    if (eos) {
      endDown(null);
    }
  }

  /** The response trailers leave the filters. */
  private void downstreamTrailers(HeaderMap t) {
    if (!respHeadersSent) {
      sendHeadersDown(false);
    }
    endDown(t);
  }

  private void sendHeadersDown(boolean eos) {
    if (respHeadersSent || finished) {
      return;
    }
    respHeadersSent = true;
    HeaderMap h = respHeaders;
    status = Integer.parseInt(h.get(":status").orElse("200"));
    resp.setStatusCode(status);
    MultiMap out = resp.headers();
    boolean hasLength = false;
    for (Header e : h.view()) {
      String n = e.name();
      if (n.startsWith(":") || HOP_BY_HOP.contains(n)) {
        continue;
      }
      if (n.equals("content-length")) {
        hasLength = true;
      }
      out.add(n, e.value());
    }
    out.set("server", listener.spec.serverName());
    if (!hasLength && !eos && req.version() != HttpVersion.HTTP_2) {
      resp.setChunked(true);
    }
    if (eos && !hasLength) {
      out.set("content-length", "0");
    }
    resp.drainHandler(v -> resumeUpstreamReading());
  }

  private void sendDown(byte[] bytes, boolean eos) {
    if (finished) {
      return;
    }
    if (!respHeadersSent) {
      if (eos && !respNoBody && respHeaders.indexOf("content-length") >= 0) {
        respHeaders.set("content-length", Integer.toString(bytes.length));
      }
      sendHeadersDown(false);
    }
    responseBytes += bytes.length;
    if (eos) {
      if (bytes.length > 0) {
        resp.write(Buffer.buffer(bytes));
      }
      endDown(null);
      return;
    }
    if (bytes.length > 0) {
      resp.write(Buffer.buffer(bytes));
    }
    if (resp.writeQueueFull() && upResp != null) {
      upResp.pause();
    }
  }

  private void endDown(HeaderMap trailers) {
    if (finished || resp.ended()) {
      return;
    }
    if (trailers != null && (resp.isChunked() || req.version() == HttpVersion.HTTP_2)) {
      for (Header e : trailers.view()) {
        resp.putTrailer(e.name(), e.value());
      }
    }
    resp.end().onComplete(ar -> finish(null));
  }

  // ------------------------------------------------------------------ failures and local replies

  private void upstreamFailed(int code, String body, String why) {
    if (over()) {
      return; // a local reply already answers (and reset the upstream request)
    }
    cancelTimer();
    endUpstream();
    if (upReq != null) {
      upReq.reset();
    }
    if (!respToPlugin) {
      details = why;
      upstreamEnded = true;
      upResp = null;
      respondFromRouter(code, body, true);
    } else if (!respHeadersSent) {
      details = why;
      writeLocal(code, body.getBytes(StandardCharsets.UTF_8), List.of(), -1);
    } else {
      details = why;
      resetDownstream();
      finish("upstream reset after the response started");
    }
  }

  private void applyLocal(LocalResponse r, int filter) {
    if (over()) {
      return;
    }
    // from here the local reply answers: an upstream failure the reset below causes does not
    localReplied = true;
    details = r.details();
    if ("wasm_fail_stream".equals(r.details())) {
      listener.wasmFailStream.add(1);
      if (live != null && filter < streams.length) {
        live.failures.incrementAndGet(filter);
        streams[filter].failure().ifPresent(f -> live.lastFailure.set(filter, f.message()));
      }
    }
    cancelTimer();
    if (upReq != null && !upstreamEnded) {
      upReq.reset();
    }
    endUpstream();
    upEndSent = true;
    if (respHeadersSent) {
      resetDownstream();
      finish("local reply after the response started");
      return;
    }
    writeLocal(r.status(), r.body(), r.headers(), r.grpcStatus());
  }

  private void writeLocal(int code, byte[] body, List<Header> headers, int grpc) {
    respHeadersSent = true;
    localReplied = true;
    status = code;
    resumeReading();
    resp.setStatusCode(code);
    boolean hasType = false;
    for (Header e : headers) {
      String n = e.name().toLowerCase();
      if (n.startsWith(":") || HOP_BY_HOP.contains(n) || n.equals("content-length")) {
        continue;
      }
      if (n.equals("content-type")) {
        hasType = true;
      }
      resp.headers().add(n, e.value());
    }
    if (body.length > 0 && !hasType) {
      resp.headers().set("content-type", "text/plain");
    }
    if (grpc >= 0) {
      resp.headers().set("grpc-status", Integer.toString(grpc));
    }
    resp.headers().set("server", listener.spec.serverName());
    resp.headers().set("content-length", Integer.toString(body.length));
    responseBytes = body.length;
    resp.end(Buffer.buffer(body)).onComplete(ar -> finish(null));
  }

  private void resetDownstream() {
    if (req.version() == HttpVersion.HTTP_2) {
      resp.reset();
    } else {
      req.connection().close();
    }
  }

  private void abort(String why) {
    if (finished) {
      return;
    }
    if (!resp.ended()) {
      listener.rqRxReset.add(1);
    }
    details = "downstream_remote_disconnect";
    cancelTimer();
    if (upReq != null && !upstreamEnded) {
      upReq.reset();
      if (cluster != null) {
        cluster.rqReset.add(1);
      }
    }
    endUpstream();
    finish(why);
  }

  private void endUpstream() {
    if (upActive) {
      upActive = false;
      cluster.ended(endpointIndex);
      cluster.rqActive.add(-1);
    }
    if (upstreamEnded) {
      cancelTimer();
    }
  }

  private void cancelTimer() {
    if (timerId >= 0) {
      loop.vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  /** Ends the exchange once: the plugin's proxy_on_log and proxy_on_done, stats. */
  private void finish(String why) {
    if (finished) {
      return;
    }
    finished = true;
    cancelTimer();
    endUpstream();
    listener.rqActive.add(-1);
    int cls = status / 100;
    if (cls >= 1 && cls <= 5 && why == null) {
      listener.rqByClass[cls].add(1);
    }
    try {
      for (HttpStream s : streams) {
        s.onLog();
      }
    } finally {
      for (HttpStream s : streams) {
        s.close();
      }
      if (live != null) {
        live.release();
      }
    }
    loop.exchangeDone();
  }

  // ------------------------------------------------------------------ properties

  @Override
  public Optional<byte[]> get(List<String> path) {
    String key = String.join(".", path);
    switch (key) {
      case "request.path":
        return str(reqHeaders.get(":path").orElse(""));
      case "request.url_path":
        {
          String p = reqHeaders.get(":path").orElse("");
          int q = p.indexOf('?');
          return str(q < 0 ? p : p.substring(0, q));
        }
      case "request.query":
        {
          String p = reqHeaders.get(":path").orElse("");
          int q = p.indexOf('?');
          return str(q < 0 ? "" : p.substring(q + 1));
        }
      case "request.host":
        return str(reqHeaders.get(":authority").orElse(""));
      case "request.scheme":
        return str(reqHeaders.get(":scheme").orElse("http"));
      case "request.method":
        return str(reqHeaders.get(":method").orElse(""));
      case "request.referer":
        return reqHeaders.get("referer").flatMap(Exchange::str);
      case "request.useragent":
        return reqHeaders.get("user-agent").flatMap(Exchange::str);
      case "request.id":
        return str(requestId);
      case "request.protocol":
        return str(protocol());
      case "request.time":
        return i64(startMillis * 1_000_000L);
      case "request.duration":
        return i64(System.nanoTime() - startNanos);
      case "request.size":
        return i64(requestBytes);
      case "response.code":
        return status == 0 ? Optional.empty() : i64(status);
      case "response.code_details":
        return details.isEmpty() ? Optional.empty() : str(details);
      case "response.size":
        return i64(responseBytes);
      case "source.address":
        return addr(req.remoteAddress(), true);
      case "source.port":
        return req.remoteAddress() == null ? Optional.empty() : i64(req.remoteAddress().port());
      case "destination.address":
        return addr(req.localAddress(), true);
      case "destination.port":
        return req.localAddress() == null ? Optional.empty() : i64(req.localAddress().port());
      case "connection.id":
        return i64(loop.connectionId(req.connection()));
      case "connection.mtls":
        return Optional.of(new byte[] {0});
      case "connection.requested_server_name":
        return str("");
      case "upstream.address":
        return endpointIndex < 0
            ? Optional.empty()
            : str(
                cluster.endpoint(endpointIndex).host()
                    + ":"
                    + cluster.endpoint(endpointIndex).port());
      case "upstream.port":
        return endpointIndex < 0 ? Optional.empty() : i64(cluster.endpoint(endpointIndex).port());
      case "xds.route_name":
      case "route_name":
        return route == null ? Optional.empty() : str(route.name());
      case "xds.cluster_name":
      case "cluster_name":
        return route == null || route.cluster() == null ? Optional.empty() : str(route.cluster());
      case "xds.listener_direction":
      case "listener_direction":
        return i64(0);
      default:
        return Optional.empty();
    }
  }

  private String protocol() {
    return switch (req.version()) {
      case HTTP_1_0 -> "HTTP/1.0";
      case HTTP_1_1 -> "HTTP/1.1";
      case HTTP_2 -> "HTTP/2";
      default -> req.version().name();
    };
  }

  private static Optional<byte[]> str(String s) {
    return s == null ? Optional.empty() : Optional.of(s.getBytes(StandardCharsets.UTF_8));
  }

  private static Optional<byte[]> i64(long v) {
    return Optional.of(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
  }

  private static Optional<byte[]> addr(SocketAddress a, boolean withPort) {
    if (a == null || a.hostAddress() == null) {
      return Optional.empty();
    }
    String host = a.hostAddress();
    if (host.indexOf(':') >= 0) {
      host = "[" + host + "]";
    }
    return str(withPort ? host + ":" + a.port() : host);
  }
}

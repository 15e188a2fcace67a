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
 * One request through a listener: the downstream request, the plugin's stream, the upstream request
 * and the response, as Envoy's connection manager drives its filter chain with the wasm filter and
 * the router. Runs on its event loop; plugin decisions that arrive from other threads (callout
 * answers) are moved onto it.
 */
final class Exchange implements HttpStreamListener, PropertyResolver {
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
  private HttpStream stream;
  private HeaderMap reqHeaders;
  private RouteSpec route;
  private ClusterRuntime cluster;
  private int endpointIndex = -1;
  private String requestId;

  // request direction
  private boolean reqHeadersPaused;
  private boolean reqBodyToPluginWhilePaused;
  private boolean reqBodyPaused;
  private BodyBuffer reqBuffered;
  private BodyBuffer reqPending;
  private boolean downstreamEnded;
  private boolean reqPendingEnd;
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
  private boolean respHeadersPaused;
  private boolean respBodyToPluginWhilePaused;
  private boolean respBodyPaused;
  private BodyBuffer respBuffered;
  private BodyBuffer respPending;
  private boolean respPendingEnd;
  private boolean upstreamEnded;
  private HeaderMap respHeaders;
  private HeaderMap respTrailers;
  private boolean respHeadersSent;
  private boolean respNoBody;
  private int status;
  private String details = "";
  private long responseBytes;

  private boolean inPluginCall;
  private LocalResponse pendingLocal;
  private int pendingResumes;
  private boolean finished;

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
    if (live != null) {
      stream = loop.worker.handle(live.plugin).newHttpStream(this, this);
    }
    boolean endOfStream = !hasRequestBody();
    headersOnly = endOfStream;
    if (headersOnly) {
      // nothing to hold back: the connection reads on (the end of the request is ignored)
      resumeReading();
    }
    if (stream == null) {
      continueRequestHeaders(endOfStream);
      return;
    }
    FilterHeadersStatus s = call(() -> stream.onRequestHeaders(reqHeaders, endOfStream));
    if (afterCall()) {
      return;
    }
    if (s == FilterHeadersStatus.CONTINUE) {
      continueRequestHeaders(endOfStream);
    } else {
      reqHeadersPaused = true;
      reqBodyToPluginWhilePaused = s == FilterHeadersStatus.STOP_ITERATION;
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
      for (Map.Entry<String, String> e : h.view()) {
        if (e.getKey().startsWith("x-envoy-")) {
          internal.add(e.getKey());
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

  /**
   * Applies a local reply or resumes recorded during the last call; true if the exchange is over.
   */
  private boolean afterCall() {
    if (stream != null && stream.failure().isPresent() && live != null) {
      String msg = stream.failure().get().message();
      if (!msg.equals(live.lastFailure.get())) {
        live.lastFailure.set(msg);
      }
    }
    if (pendingLocal != null) {
      LocalResponse r = pendingLocal;
      pendingLocal = null;
      applyLocal(r);
      return true;
    }
    if (finished) {
      return true;
    }
    if (pendingResumes != 0) {
      int p = pendingResumes;
      pendingResumes = 0;
      ctx.runOnContext(
          v -> {
            if ((p & 1) != 0) {
              resume(StreamType.REQUEST);
            }
            if ((p & 2) != 0) {
              resume(StreamType.RESPONSE);
            }
          });
    }
    return false;
  }

  private boolean onMyLoop() {
    return Vertx.currentContext() == ctx;
  }

  @Override
  public void onLocalResponse(LocalResponse response) {
    if (onMyLoop() && inPluginCall) {
      pendingLocal = response;
    } else {
      ctx.runOnContext(v -> applyLocal(response));
    }
  }

  @Override
  public void onResume(StreamType direction) {
    if (onMyLoop() && inPluginCall) {
      pendingResumes |= direction == StreamType.REQUEST ? 1 : 2;
    } else {
      ctx.runOnContext(v -> resume(direction));
    }
  }

  @Override
  public void onClose(StreamType direction) {
    ctx.runOnContext(v -> abort("the plugin closed the stream"));
  }

  // ------------------------------------------------------------------ request direction

  private void onDownstreamData(Buffer data) {
    if (finished) {
      return;
    }
    requestBytes += data.length();
    if (headersOnly || upEndSent || isLocalOnly()) {
      return; // a direct or local reply: the rest of the request is read and dropped
    }
    requestData(data.getBytes(), false);
  }

  private void onDownstreamEnd() {
    if (finished) {
      return;
    }
    downstreamEnded = true;
    if (headersOnly || upEndSent || isLocalOnly()) {
      return;
    }
    requestData(new byte[0], true);
  }

  private boolean isLocalOnly() {
    return upstreamStarted && cluster == null;
  }

  private void requestData(byte[] bytes, boolean eos) {
    if ((reqHeadersPaused && !reqBodyToPluginWhilePaused) || reqBodyPaused) {
      if (reqPending == null) {
        reqPending = new BodyBuffer();
      }
      reqPending.append(bytes);
      reqPendingEnd |= eos;
      if (reqPending.length() > WATERMARK) {
        pauseReading();
      }
      return;
    }
    if (stream == null) {
      sendUp(bytes, eos);
      return;
    }
    BodyBuffer buf;
    if (reqBuffered != null) {
      reqBuffered.append(bytes);
      buf = reqBuffered;
    } else {
      buf = new BodyBuffer(bytes);
    }
    FilterDataStatus s = call(() -> stream.onRequestBody(buf, eos));
    if (afterCall()) {
      return;
    }
    switch (s) {
      case CONTINUE -> {
        reqBuffered = null;
        if (reqHeadersPaused) {
          reqHeadersPaused = false;
          continueRequestHeaders(false);
        }
        sendUp(buf.bytes(), eos);
      }
      case STOP_ITERATION_NO_BUFFER -> {
        reqBuffered = null;
        reqBodyPaused = true;
      }
      default ->
          reqBuffered = buf; // buffer until the plugin continues (the host enforces the limit)
    }
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
    if (b.length > 0 && !finished) {
      responseData(b, true);
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
    for (Map.Entry<String, String> e : reqHeaders.view()) {
      String n = e.getKey();
      if (n.startsWith(":") || HOP_BY_HOP.contains(n)) {
        continue;
      }
      if (n.equals("content-length")) {
        hasLength = true;
      }
      headers.add(n, e.getValue());
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
              r.response().onSuccess(this::onUpstreamResponse);
              r.drainHandler(v -> resumeReading());
              if (endOfStream) {
                upQueueEnd = true;
              }
              flushUp();
            });
    if (!endOfStream && !reqHeadersPaused) {
      resumeReading();
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
    } else if (!reqHeadersPaused && !reqBodyPaused) {
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
      if (upReq != null && upReq.writeQueueFull()) {
        return;
      }
      readingPausedByUs = false;
      req.resume();
    }
  }

  // ------------------------------------------------------------------ resume

  private void resume(StreamType direction) {
    if (finished) {
      return;
    }
    if (direction == StreamType.REQUEST) {
      resumeRequest();
    } else {
      resumeResponse();
    }
  }

  private void resumeRequest() {
    boolean headersWereHeld = reqHeadersPaused;
    reqHeadersPaused = false;
    reqBodyPaused = false;
    boolean eosSeen = downstreamEnded && reqPending == null;
    if (headersWereHeld) {
      boolean endOfStream = !hasRequestBody() && reqPending == null && reqBuffered == null;
      continueRequestHeaders(endOfStream);
      if (finished || isLocalOnly()) {
        return;
      }
    }
    if (reqBuffered != null) {
      byte[] b = reqBuffered.bytes();
      reqBuffered = null;
      sendUp(b, eosSeen);
    }
    if (reqPending != null) {
      BodyBuffer p = reqPending;
      boolean end = reqPendingEnd;
      reqPending = null;
      reqPendingEnd = false;
      requestData(p.bytes(), end);
    } else if (eosSeen && !upEndSent && !headersWereHeld) {
      sendUp(new byte[0], true);
    }
    if (!reqHeadersPaused && !reqBodyPaused) {
      resumeReading();
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
    r.handler(b -> responseData(b.getBytes(), false));
    r.endHandler(
        v -> {
          upstreamEnded = true;
          endUpstream();
          MultiMap t = r.trailers();
          if (t != null && !t.isEmpty()) {
            HeaderMap tm = new HeaderMap();
            t.forEach(e -> tm.add(e.getKey(), e.getValue()));
            responseTrailers(tm);
          } else {
            responseData(new byte[0], true);
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
    if (noBody) {
      // the body (none) and the end arrive through endHandler
      r.resume();
    } else if (!finished && !respHeadersPaused && !respBodyPaused) {
      r.resume();
    }
  }

  private void responseHeaders(HeaderMap h, boolean eos) {
    respHeaders = h;
    respToPlugin = true;
    status = Integer.parseInt(h.get(":status").orElse("200"));
    if (stream == null) {
      sendHeadersDown(eos);
      if (eos) {
        endDown(null);
      }
      return;
    }
    FilterHeadersStatus s = call(() -> stream.onResponseHeaders(h, eos));
    if (afterCall()) {
      return;
    }
    if (s == FilterHeadersStatus.CONTINUE) {
      if (!eos && !respNoBody && h.indexOf("content-length") >= 0) {
        // the body may still be rewritten: the headers go with its first piece, and a body the
        // plugin held whole gets its real length
        return;
      }
      sendHeadersDown(eos);
      if (eos) {
        endDown(null);
      }
    } else {
      respHeadersPaused = true;
      respBodyToPluginWhilePaused = s == FilterHeadersStatus.STOP_ITERATION;
      if (eos) {
        respPendingEnd = true;
        if (respPending == null) {
          respPending = new BodyBuffer();
        }
      }
    }
  }

  private void responseData(byte[] bytes, boolean eos) {
    if (finished) {
      return;
    }
    if ((respHeadersPaused && !respBodyToPluginWhilePaused) || respBodyPaused) {
      if (respPending == null) {
        respPending = new BodyBuffer();
      }
      respPending.append(bytes);
      respPendingEnd |= eos;
      if (respPending.length() > WATERMARK && upResp != null) {
        upResp.pause();
      }
      return;
    }
    if (stream == null) {
      sendDown(bytes, eos);
      return;
    }
    BodyBuffer buf;
    if (respBuffered != null) {
      respBuffered.append(bytes);
      buf = respBuffered;
    } else {
      buf = new BodyBuffer(bytes);
    }
    FilterDataStatus s = call(() -> stream.onResponseBody(buf, eos));
    if (afterCall()) {
      return;
    }
    switch (s) {
      case CONTINUE -> {
        respBuffered = null;
        if (respHeadersPaused) {
          respHeadersPaused = false;
          sendHeadersDown(false);
        }
        sendDown(buf.bytes(), eos);
      }
      case STOP_ITERATION_NO_BUFFER -> {
        respBuffered = null;
        respBodyPaused = true;
      }
      default -> respBuffered = buf;
    }
  }

  private void responseTrailers(HeaderMap t) {
    if (finished) {
      return;
    }
    if ((respHeadersPaused && !respBodyToPluginWhilePaused)
        || respBodyPaused
        || respBuffered != null) {
      // held data goes first; the trailers follow when the plugin resumes
      respTrailers = t;
      respPendingEnd = true;
      if (respPending == null) {
        respPending = new BodyBuffer();
      }
      return;
    }
    if (stream != null) {
      FilterTrailersStatus s = call(() -> stream.onResponseTrailers(t));
      if (afterCall()) {
        return;
      }
      if (s != FilterTrailersStatus.CONTINUE) {
        respTrailers = t;
        respBodyPaused = true;
        respPendingEnd = true;
        return;
      }
    }
    if (!respHeadersSent) {
      sendHeadersDown(false);
    }
    endDown(t);
  }

  private void resumeResponse() {
    if (!respToPlugin) {
      return;
    }
    boolean headersWereHeld = respHeadersPaused;
    respHeadersPaused = false;
    respBodyPaused = false;
    if (headersWereHeld) {
      sendHeadersDown(false);
    }
    if (respBuffered != null) {
      byte[] b = respBuffered.bytes();
      respBuffered = null;
      boolean end = upstreamEnded && respPending == null && respTrailers == null;
      sendDown(b, end);
      if (end) {
        return;
      }
    }
    if (respPending != null) {
      BodyBuffer p = respPending;
      boolean end = respPendingEnd;
      respPending = null;
      respPendingEnd = false;
      HeaderMap trailers = respTrailers;
      respTrailers = null;
      if (trailers != null) {
        if (p.length() > 0) {
          responseData(p.bytes(), false);
        }
        if (!finished && !respBodyPaused && respBuffered == null) {
          responseTrailers(trailers);
        } else {
          respTrailers = trailers;
        }
      } else {
        responseData(p.bytes(), end);
      }
    } else if (respTrailers != null) {
      HeaderMap trailers = respTrailers;
      respTrailers = null;
      endDown(trailers);
    }
    if (upResp != null && !finished && !respHeadersPaused && !respBodyPaused) {
      upResp.resume();
    }
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
    for (Map.Entry<String, String> e : h.view()) {
      String n = e.getKey();
      if (n.startsWith(":") || HOP_BY_HOP.contains(n)) {
        continue;
      }
      if (n.equals("content-length")) {
        hasLength = true;
      }
      out.add(n, e.getValue());
    }
    out.set("server", listener.spec.serverName());
    if (!hasLength && !eos && req.version() != HttpVersion.HTTP_2) {
      resp.setChunked(true);
    }
    if (eos && !hasLength) {
      out.set("content-length", "0");
    }
    resp.drainHandler(
        v -> {
          if (upResp != null && !respHeadersPaused && !respBodyPaused && !finished) {
            upResp.resume();
          }
        });
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
    if (trailers != null && resp.isChunked()) {
      for (Map.Entry<String, String> e : trailers.view()) {
        resp.putTrailer(e.getKey(), e.getValue());
      }
    }
    resp.end().onComplete(ar -> finish(null));
  }

  // ------------------------------------------------------------------ failures and local replies

  private void upstreamFailed(int code, String body, String why) {
    if (finished) {
      return;
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

  private void applyLocal(LocalResponse r) {
    if (finished) {
      return;
    }
    details = r.details();
    if ("wasm_fail_stream".equals(r.details())) {
      listener.wasmFailStream.add(1);
      if (live != null) {
        live.failures.incrementAndGet();
        stream.failure().ifPresent(f -> live.lastFailure.set(f.message()));
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

  private void writeLocal(
      int code, byte[] body, List<Map.Entry<String, String>> headers, int grpc) {
    respHeadersSent = true;
    status = code;
    resumeReading();
    resp.setStatusCode(code);
    boolean hasType = false;
    for (Map.Entry<String, String> e : headers) {
      String n = e.getKey().toLowerCase();
      if (n.startsWith(":") || HOP_BY_HOP.contains(n) || n.equals("content-length")) {
        continue;
      }
      if (n.equals("content-type")) {
        hasType = true;
      }
      resp.headers().add(n, e.getValue());
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
    if (stream != null) {
      try {
        stream.onLog();
      } finally {
        stream.close();
        live.release();
      }
    } else if (live != null) {
      live.release();
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

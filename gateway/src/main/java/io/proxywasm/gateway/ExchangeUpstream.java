package io.proxywasm.gateway;

import io.netty.channel.Channel;
import io.proxywasm.gateway.config.GatewaySpec.RouteSpec;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.spi.Header;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The router of an exchange, once the request headers leave the filters: the answer it makes itself
 * (no route, a direct response), or the upstream request on the cluster's pooled client with the
 * route's timeout, its body with backpressure, and the upstream response into the response filters.
 * Upstream failures become the replies Envoy's router sends.
 */
final class ExchangeUpstream {
  private final Exchange ex;

  private int endpointIndex = -1;

  /**
   * The upstream the properties read: the cluster and endpoint picked (kept when a failure makes
   * the router answer), the connection's addresses and TLS session.
   */
  final UpstreamInfo info = new UpstreamInfo();

  private boolean started;
  private HttpClientRequest upReq;

  /** The connection of this loop's pool the request has, until it goes back or is closed. */
  private UpstreamPool.Conn pooled;

  private UpstreamPool pool;

  /** The upstream response lets its connection carry another request. */
  private boolean keepAlive;

  /** Body waiting for the upstream request; null while none waits. */
  private List<Buffer> queue;

  private boolean queueEnd;

  /** Trailers that end the request, once they left the filters. */
  private HeaderMap trailers;

  /** The last body write to the upstream request, which the HTTP/2 trailers follow. */
  private Future<Void> lastWrite;

  private boolean endSent;
  private boolean written;
  private HttpClientResponse upResp;
  private long startNanos;
  private Timeouts.Timeout timeout;
  private boolean active;

  /** The upstream failed: a failure its reset causes does not answer instead. */
  private boolean failed;

  /** The upstream response ended, or there is none. */
  boolean ended;

  ExchangeUpstream(Exchange ex) {
    this.ex = ex;
  }

  /** Whether the request's end went upstream (or nothing more goes there). */
  boolean endSent() {
    return endSent;
  }

  /** Whether the router answers without an upstream. */
  boolean isLocalOnly() {
    return started && ex.cluster == null;
  }

  boolean writeQueueFull() {
    return upReq != null && upReq.writeQueueFull();
  }

  /** True once the router took the request (its route is then fixed). */
  boolean routed() {
    return started;
  }

  /** The request headers leave the filters: the router takes the request. */
  void continueRequestHeaders(boolean endOfStream) {
    if (started) {
      return;
    }
    started = true;
    RouteSpec route = ex.route();
    if (route == null) {
      ex.details = "route_not_found";
      respondFromRouter(404, "", endOfStream);
      return;
    }
    if (route.cluster() == null) {
      ex.details = "direct_response";
      respondFromRouter(route.directStatus(), route.directBody(), endOfStream);
      return;
    }
    start(endOfStream);
  }

  /**
   * A reply the router makes itself (no route, direct response): it goes through the plugin's
   * response callbacks.
   */
  private void respondFromRouter(int code, String body, boolean endOfStream) {
    ex.cluster = null;
    endSent = true;
    ex.request.resumeReading();
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    HeaderMap h = new HeaderMap();
    h.add(":status", Headers.status(code));
    if (b.length > 0) {
      h.add("content-type", "text/plain");
    }
    h.add("content-length", Integer.toString(b.length));
    ex.response.headers(h, b.length == 0);
    if (b.length > 0 && !ex.over()) {
      ex.responseChain.dataAt(0, b, true);
    }
  }

  private void start(boolean endOfStream) {
    ClusterRuntime cluster = ex.cluster;
    RouteSpec route = ex.route();
    HeaderMap h = ex.request.headers;
    endpointIndex = cluster.pick();
    info.picked(cluster, endpointIndex);
    info.attempts = 1;
    cluster.started(endpointIndex);
    cluster.rqTotal.add(1);
    cluster.rqActive.add(1);
    active = true;
    startNanos = System.nanoTime();
    String path = Headers.value(h, ":path", "/");
    if (route.prefixRewrite() != null && path.startsWith(route.match())) {
      path = route.prefixRewrite() + path.substring(route.match().length());
      if (path.isEmpty() || path.charAt(0) != '/') {
        path = "/" + path;
      }
    }
    String authority = Headers.value(h, ":authority", "");
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(Headers.value(h, ":method", "GET")))
            .setServer(cluster.address(endpointIndex))
            // the host and port stand in for a missing :authority (and key the pool), as before
            .setHost(cluster.requestHost(endpointIndex, authority))
            .setPort(cluster.endpoint(endpointIndex).port())
            .setURI(path);
    // the headers as they leave the filters, written once the pool gives a connection
    List<Header> headers = h.entries();
    boolean chunked = h.indexOf("content-length") < 0 && !endOfStream;
    if (!route.timeout().isZero()) {
      timeout =
          ex.loop.timeouts.start(
              route.timeout().toMillis(),
              () -> {
                timeout = null;
                cluster.rqTimeout.add(1);
                failed(504, "upstream request timeout", "upstream_response_timeout");
              });
    }
    pool = ex.loop.pool(cluster);
    Future<HttpClientRequest> request;
    if (pool == null) {
      request = cluster.client.request(o);
    } else {
      UpstreamPool.Conn c = pool.idle(endpointIndex);
      if (c != null) {
        pooled = c;
        request = c.connection.request(o);
      } else {
        request =
            pool.connect(endpointIndex)
                .compose(
                    conn -> {
                      if (ex.finished) {
                        pool.release(conn, true);
                        return Future.failedFuture("the exchange ended");
                      }
                      pooled = conn;
                      return conn.connection.request(o);
                    });
      }
    }
    request.onComplete(ar -> onRequest(ar, cluster, headers, authority, chunked, endOfStream));
    if (!endOfStream) {
      ex.request.resumeReading();
    }
  }

  private void onRequest(
      AsyncResult<HttpClientRequest> ar,
      ClusterRuntime cluster,
      List<Header> headers,
      String authority,
      boolean chunked,
      boolean endOfStream) {
    if (ex.finished) {
      if (ar.succeeded()) {
        Exchange.discard(ar.result());
      }
      dropConnection();
      return;
    }
    if (ar.failed()) {
      cluster.cxConnectFail.add(1);
      String tls = UpstreamTls.failureReason(ar.cause());
      if (tls != null) {
        info.transportFailureReason = tls;
      }
      failed(
          503,
          "upstream connect error or disconnect/reset before headers. reset reason:"
              + " connection failure"
              + (tls == null ? "" : ", transport failure reason: " + tls),
          tls == null
              ? "upstream_reset_before_response_started{connection_failure}"
              : "upstream_reset_before_response_started{connection_failure|TLS_error}");
      return;
    }
    HttpClientRequest r = ar.result();
    upReq = r;
    info.poolReadyNanos = System.nanoTime() - startNanos;
    HttpConnection connection = r.connection();
    info.localAddress = connection.localAddress();
    info.tls = connection.isSsl() ? connection.sslSession() : null;
    if (!cluster.speaksAsConfigured(r)) {
      failed(
          503,
          "upstream connect error or disconnect/reset before headers. reset reason: protocol"
              + " error",
          "upstream_reset_before_response_started{protocol_error}");
      return;
    }
    MultiMap out = r.headers();
    for (Header e : headers) {
      String n = e.name();
      if (!n.startsWith(":") && !Headers.HOP_BY_HOP.contains(n)) {
        out.add(n, e.value());
      }
    }
    RouteSpec route = ex.route();
    if (!route.timeout().isZero()) {
      out.set("x-envoy-expected-rq-timeout-ms", Long.toString(route.timeout().toMillis()));
    }
    if (!authority.isEmpty()) {
      out.set("host", authority);
    }
    if (r.version() == HttpVersion.HTTP_2) {
      Exchange.authority(r, authority);
    }
    if (chunked) {
      // HTTP/1.1 frames the body in chunks; Vert.x's HTTP/2 client drops the header but still
      // refuses body writes without a content-length unless the request is marked chunked
      r.setChunked(true);
    }
    r.exceptionHandler(
        e ->
            failed(
                503,
                "upstream connect error or disconnect/reset before headers. reset reason:"
                    + " connection termination",
                "upstream_reset_before_response_started{connection_termination}"));
    r.response()
        .onComplete(
            response -> {
              if (response.succeeded()) {
                onResponse(response.result());
              } else {
                failed(
                    503,
                    "upstream connect error or disconnect/reset before headers. reset"
                        + " reason: remote reset",
                    "upstream_reset_before_response_started{remote_reset}");
              }
            });
    r.drainHandler(v -> ex.request.resumeReading());
    if (endOfStream) {
      queueEnd = true;
    }
    flush();
  }

  /** Request body leaves the filters. */
  void sendUp(Buffer data, boolean eos) {
    if (endSent) {
      return;
    }
    if (data.length() > 0) {
      if (queue == null) {
        queue = new ArrayList<>();
      }
      queue.add(data);
    }
    queueEnd |= eos;
    if (upReq != null) {
      flush();
    } else if (queuedBytes() > Exchange.WATERMARK) {
      ex.request.pauseReading();
    }
  }

  /**
   * Request trailers leave the filters: they end the upstream request, as a chunked body's trailer
   * section on HTTP/1.1 or a trailers HEADERS frame on HTTP/2. An HTTP/1.1 request sent with a
   * content-length has no place for them: they are dropped there, as Envoy's HTTP/1 codec does.
   */
  void sendTrailersUp(HeaderMap t) {
    if (endSent) {
      return;
    }
    if (t.size() > 0) {
      trailers = t;
    }
    sendUp(Buffer.buffer(), true);
  }

  long queuedBytes() {
    if (queue == null) {
      return 0;
    }
    long n = 0;
    for (Buffer b : queue) {
      n += b.length();
    }
    return n;
  }

  private void flush() {
    if (upReq == null || endSent) {
      return;
    }
    if (!written && queueEnd && upReq.headers().contains("content-length")) {
      long total = queuedBytes();
      upReq.headers().set("content-length", Long.toString(total));
    }
    if (queue != null) {
      for (Buffer b : queue) {
        written = true;
        lastWrite = upReq.write(b);
      }
      queue.clear();
    }
    if (queueEnd) {
      endSent = true;
      if (trailers == null || !endWithTrailers(upReq, trailers)) {
        upReq.end();
      }
      releaseConnection();
    } else if (upReq.writeQueueFull()) {
      ex.request.pauseReading();
    } else {
      ex.request.resumeReading();
    }
  }

  /**
   * Ends the upstream request with its trailers, through the connection's Netty channel; false if
   * it ends without them (no channel known, or an HTTP/1.1 body with a content-length).
   */
  private boolean endWithTrailers(HttpClientRequest r, HeaderMap t) {
    Channel ch = ex.loop.gateway.channels.channel(r.connection());
    if (ch == null) {
      return false;
    }
    if (r.version() != HttpVersion.HTTP_2) {
      if (!r.isChunked() || !UpstreamTrailers.nextHttp1(ch, t)) {
        return false;
      }
      r.end();
      return true;
    }
    // the headers go first if no body did; the trailers follow what was written
    Future<Void> last = written ? lastWrite : r.sendHead();
    UpstreamTrailers.endHttp2(ch, r::streamId, t, last, Promise.promise())
        .onFailure(
            e ->
                ex.loop.context.runOnContext(
                    v -> {
                      if (!ex.over() && !ended) {
                        failed(
                            503,
                            "upstream connect error or disconnect/reset before headers. reset"
                                + " reason: connection termination",
                            "upstream_reset_before_response_started{connection_termination}");
                      }
                    }));
    return true;
  }

  // ------------------------------------------------------------------ the upstream response

  private void onResponse(HttpClientResponse r) {
    if (ex.finished) {
      r.request().reset();
      dropConnection();
      return;
    }
    upResp = r;
    // as Envoy's router on the upstream's headers (ResponseCodeDetails ViaUpstream)
    ex.details = "via_upstream";
    r.pause();
    int code = r.statusCode();
    int cls = code / 100;
    if (cls >= 1 && cls <= 5) {
      ex.cluster.rqByClass[cls].add(1);
    }
    HeaderMap h = new HeaderMap();
    h.add(":status", Headers.status(code));
    MultiMap in = r.headers();
    String connectionTokens = in.get("connection");
    // as the client decides whether the connection stays open after the response
    keepAlive =
        r.version() == HttpVersion.HTTP_1_0
            ? "keep-alive".equalsIgnoreCase(connectionTokens)
            : !"close".equalsIgnoreCase(connectionTokens);
    for (Map.Entry<String, String> e : in) {
      String n = Headers.lower(e.getKey());
      if (Headers.HOP_BY_HOP.contains(n) || n.startsWith(":")) {
        continue;
      }
      if (connectionTokens != null && Headers.listsToken(connectionTokens, n)) {
        continue;
      }
      h.add(n, e.getValue());
    }
    h.set(
        "x-envoy-upstream-service-time",
        Long.toString((System.nanoTime() - startNanos) / 1_000_000));
    r.handler(
        b -> {
          if (!ex.over()) {
            ex.responseChain.data(b, false);
          }
        });
    r.endHandler(
        v -> {
          ended = true;
          end();
          releaseConnection();
          if (ex.over()) {
            return;
          }
          MultiMap t = r.trailers();
          if (t != null && !t.isEmpty()) {
            HeaderMap tm = new HeaderMap();
            t.forEach(e -> tm.add(e.getKey(), e.getValue()));
            ex.responseChain.trailersAt(0, tm);
          } else {
            ex.responseChain.end();
          }
        });
    r.exceptionHandler(e -> failed(503, "upstream reset", "upstream_reset_after_response_started"));
    ex.response.noBody =
        code == 204
            || code == 304
            || code / 100 == 1
            || ex.req.method() == HttpMethod.HEAD
            || "0".equals(in.get("content-length"));
    ex.response.headers(h, false);
    if (!ex.over()) {
      // the body streams through the filters; a stopped filter holds it up to the watermark
      r.resume();
    }
  }

  /** A stopped response filter holds too much: the upstream response waits. */
  void pauseResponse() {
    if (upResp != null) {
      upResp.pause();
    }
  }

  /** Reads the upstream response on, unless the filters or the client hold too much. */
  void resumeResponse() {
    if (upResp != null
        && !ex.over()
        && ex.responseChain.held() <= Exchange.WATERMARK
        && !ex.response.writeQueueFull()) {
      upResp.resume();
    }
  }

  // ------------------------------------------------------------------ ending and failures

  /** The upstream fails: the reply Envoy's router sends, or a reset once the response started. */
  private void failed(int code, String body, String why) {
    if (ex.over() || failed) {
      // a local reply already answers (and reset the upstream request), or the first failure
      // does: resetting the request on a timeout fails its response too
      return;
    }
    failed = true;
    cancelTimer();
    end();
    if (upReq != null) {
      upReq.reset();
    }
    dropConnection();
    ex.details = why;
    if (!ex.response.toPlugin) {
      ended = true;
      upResp = null;
      respondFromRouter(code, body, true);
    } else if (!ex.response.headersSent) {
      ex.response.writeLocal(code, body.getBytes(StandardCharsets.UTF_8), List.of(), -1);
    } else {
      ex.response.resetDownstream();
      ex.finish("upstream reset after the response started");
    }
  }

  /**
   * The exchange ends early (a local reply, the client gone): an upstream request still running is
   * reset, and nothing more goes upstream.
   *
   * @return whether a running upstream request was reset
   */
  boolean reset() {
    cancelTimer();
    boolean running = upReq != null && !ended;
    if (running) {
      upReq.reset();
    }
    dropConnection();
    end();
    return running;
  }

  /**
   * A pooled connection goes back to the pool once both the request and the response ended (or is
   * closed if the upstream does not keep it open).
   */
  private void releaseConnection() {
    if (pooled != null && ended && endSent && !failed) {
      UpstreamPool.Conn c = pooled;
      pooled = null;
      pool.release(c, keepAlive);
    }
  }

  /** A pooled connection the request still has is closed: it ends in a reset or a failure. */
  private void dropConnection() {
    if (pooled != null) {
      UpstreamPool.Conn c = pooled;
      pooled = null;
      pool.release(c, false);
    }
  }

  /** Nothing more goes upstream (a local reply answers). */
  void stopSending() {
    endSent = true;
  }

  /** The upstream request stops counting as active; its timer stops once the response ended. */
  void end() {
    if (active) {
      active = false;
      ex.cluster.ended(endpointIndex);
      ex.cluster.rqActive.add(-1);
    }
    if (ended) {
      cancelTimer();
    }
  }

  void cancelTimer() {
    if (timeout != null) {
      timeout.cancel();
      timeout = null;
    }
  }
}

package io.proxywasm.gateway;

import io.proxywasm.gateway.config.GatewaySpec.RouteSpec;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.spi.StreamType;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.HostAndPort;
import java.util.HashMap;
import java.util.Map;

/**
 * One request through a listener: the downstream request, the wasm filters' streams, the upstream
 * request and the response, as Envoy's connection manager drives its filter chain with the wasm
 * filters and the router. The request passes the filters in their configured order, the response in
 * reverse order; a filter that stops holds the rest of its direction until it resumes. Runs on its
 * event loop; plugin decisions that arrive from other threads (callout answers) are moved onto it.
 *
 * <p>This class starts and ends the exchange and applies the plugins' decisions; {@link
 * ExchangeRequest} reads the client's request, {@link FilterChain} runs each direction through the
 * filters, {@link ExchangeUpstream} is the router, {@link ExchangeResponse} writes the response or
 * a local reply, {@link ExchangeProperties} answers the plugins' property reads.
 */
final class Exchange implements PluginCalls.Resumer {

  /** How much request or response data is held while a direction is paused before reading stops. */
  static final int WATERMARK = 1 << 20;

  private static final HttpStream[] NO_STREAMS = new HttpStream[0];

  final Loop loop;
  final ListenerRuntime listener;
  final HttpServerRequest req;
  private final HttpServerResponse resp;
  final long startNanos = System.nanoTime();
  final long startMillis = System.currentTimeMillis();
  final PluginCalls calls;
  final ExchangeRequest request;
  final ExchangeUpstream upstream;
  final ExchangeResponse response;

  private LivePlugin live;
  HttpStream[] streams = NO_STREAMS;
  FilterChain requestChain;
  FilterChain responseChain;

  /** The route as last picked; read it through {@link #route()}. */
  private RouteSpec route;

  ClusterRuntime cluster;

  /** A plugin cleared the route cache: the route is picked again before the router takes it. */
  private boolean routeStale;

  /** Envoy's filter state objects the plugins set on this request, by key, or null. */
  Map<String, byte[]> filterState;

  /** The response status, once known. */
  int status;

  /** Envoy's response code details. */
  String details = "";

  /** A local reply answers: nothing more goes through the filters. */
  boolean localReplied;

  boolean finished;

  private LocalResponse pendingLocal;
  private int pendingLocalFilter;

  Exchange(
      Loop loop,
      ListenerRuntime listener,
      HttpServerRequest req,
      DownstreamTrailers trailers,
      long trailersKey) {
    this.loop = loop;
    this.listener = listener;
    this.req = req;
    this.resp = req.response();
    this.calls = new PluginCalls(loop.context, this);
    this.request = new ExchangeRequest(this, req, trailers, trailersKey);
    this.upstream = new ExchangeUpstream(this);
    this.response = new ExchangeResponse(this, req);
  }

  // ------------------------------------------------------------------ start

  void start() {
    listener.rqTotal.add(1);
    listener.rqActive.add(1);
    request.start();
    resp.closeHandler(v -> abort("downstream connection closed"));
    resp.exceptionHandler(e -> abort("downstream write failed: " + e.getMessage()));

    HeaderMap reqHeaders = request.headers;
    pickRoute();

    live = LivePlugin.acquire(listener.plugin);
    int n = live == null ? 0 : live.plugins.size();
    if (n > 0) {
      ExchangeProperties properties = new ExchangeProperties(this);
      streams = new HttpStream[n];
      for (int i = 0; i < n; i++) {
        streams[i] =
            loop.worker
                .handle(live.plugins.get(i))
                .newHttpStream(new FilterListener(i), properties);
      }
    }
    requestChain = new FilterChain(this, true, streams);
    responseChain = new FilterChain(this, false, streams);
    // a request with no body is read on (its end is ignored); one with a body waits for the filters
    boolean endOfStream = request.headersOnly;
    requestChain.headersAt(0, reqHeaders, endOfStream);
    if (!over() && !endOfStream) {
      // a filter that stopped on the headers still sees the body as it arrives
      request.resumeReading();
    }
  }

  /** Picks the route (and its cluster) for the request headers as they are now. */
  private void pickRoute() {
    HeaderMap h = request.headers;
    String path = Headers.value(h, ":path", "/");
    int q = path.indexOf('?');
    route = listener.route(Headers.value(h, ":authority", ""), q < 0 ? path : path.substring(0, q));
    cluster =
        route != null && route.cluster() != null ? loop.gateway.cluster(route.cluster()) : null;
    routeStale = false;
  }

  /**
   * The request's route, picked again first when a plugin cleared the route cache since (Envoy's
   * {@code clearRouteCache}: the next {@code route()} looks it up from the headers as they are).
   */
  RouteSpec route() {
    if (routeStale) {
      pickRoute();
    }
    return route;
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

  /**
   * Resets an upstream request nobody waits for any more (its exchange, callout or stream ended
   * while the cluster's pool was still handing it out). The reset fails the request with a "Stream
   * reset" exception; without a handler of its own Vert.x would log that at ERROR level, one line
   * per client that went away, for an outcome the gateway chose.
   */
  static void discard(HttpClientRequest r) {
    r.exceptionHandler(e -> {});
    r.reset();
  }

  // ------------------------------------------------------------------ plugin decisions

  /** True once nothing more goes through the filters: a local reply went out or it ended. */
  boolean over() {
    return finished || localReplied;
  }

  /**
   * Applies a local reply or resumes recorded during the last call; true if the exchange is over.
   */
  boolean afterCall() {
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
    calls.runDeferredResumes();
    return false;
  }

  /** The decisions of one filter's stream, besides its return values. */
  private final class FilterListener implements HttpStreamListener, GatewayStream {
    private final int filter;

    FilterListener(int filter) {
      this.filter = filter;
    }

    @Override
    public void onLocalResponse(LocalResponse response) {
      if (calls.duringCall()) {
        if (pendingLocal == null) {
          pendingLocal = response;
          pendingLocalFilter = filter;
        }
      } else {
        calls.later(() -> applyLocal(response, filter));
      }
    }

    @Override
    public void onResume(StreamType direction) {
      calls.resume(filter, direction);
    }

    @Override
    public void onClose(StreamType direction) {
      calls.later(() -> abort("the plugin closed the stream"));
    }

    @Override
    public void setFilterState(String key, byte[] value) {
      if (filterState == null) {
        filterState = new HashMap<>();
      }
      filterState.put(key, value.clone());
    }

    @Override
    public void clearRouteCache() {
      // once the router took the request its route no longer changes
      if (!upstream.routed()) {
        routeStale = true;
      }
    }
  }

  /** A filter continues a direction it stopped. */
  @Override
  public void resume(int filter, StreamType direction) {
    if (over()) {
      return;
    }
    if (direction == StreamType.REQUEST) {
      requestChain.resumeAt(filter);
      if (!over()) {
        request.resumeReading();
      }
    } else {
      responseChain.resumeAt(streams.length - 1 - filter);
      upstream.resumeResponse();
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
    upstream.reset();
    upstream.stopSending();
    if (response.headersSent) {
      response.resetDownstream();
      finish("local reply after the response started");
      return;
    }
    response.writeLocal(r.status(), r.body(), r.headers(), r.grpcStatus());
  }

  // ------------------------------------------------------------------ the end

  /** The client went away or failed: the upstream request is reset and the exchange ends. */
  void abort(String why) {
    if (finished) {
      return;
    }
    if (!resp.ended()) {
      listener.rqRxReset.add(1);
    }
    details = "downstream_remote_disconnect";
    if (upstream.reset() && cluster != null) {
      cluster.rqReset.add(1);
    }
    finish(why);
  }

  /** Ends the exchange once: the plugin's proxy_on_log and proxy_on_done, stats. */
  void finish(String why) {
    if (finished) {
      return;
    }
    finished = true;
    upstream.cancelTimer();
    upstream.end();
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
    AccessLogs logs = listener.accessLogs;
    if (logs != null) {
      logs.log(new ExchangeLog(this));
    }
    loop.exchangeDone();
  }
}

package io.proxywasm.gateway;

import io.proxywasm.host.Worker;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One event loop of the gateway: Envoy's worker. It owns one host {@link Worker} (its own clones of
 * every plugin's VM); every request it accepts runs its plugin calls on this loop.
 */
final class Loop {
  final Gateway gateway;
  final Vertx vertx;
  final Context context;
  final Worker worker;

  /** The route timeouts of the requests on this loop. */
  final Timeouts timeouts;

  /** This loop's connections to each plain HTTP/1.1 cluster. */
  private final Map<ClusterRuntime, UpstreamPool> pools = new IdentityHashMap<>();

  private final Map<HttpConnection, Long> connectionIds = new WeakHashMap<>();

  /** The request trailers of this loop's downstream connections. */
  private final Map<HttpConnection, DownstreamTrailers> requestTrailers = new WeakHashMap<>();

  Loop(Gateway gateway, Vertx vertx, Context context, Worker worker) {
    this.gateway = gateway;
    this.vertx = vertx;
    this.context = context;
    this.worker = worker;
    this.timeouts = new Timeouts(vertx);
  }

  /**
   * This loop's pool of connections to a cluster, or null if its requests go through the cluster's
   * client pool (a cluster with TLS or HTTP/2).
   */
  UpstreamPool pool(ClusterRuntime cluster) {
    if (!cluster.plainHttp1()) {
      return null;
    }
    UpstreamPool p = pools.get(cluster);
    if (p == null) {
      p = new UpstreamPool(this, cluster);
      pools.put(cluster, p);
    }
    return p;
  }

  long connectionId(HttpConnection c) {
    return connectionIds.computeIfAbsent(c, k -> gateway.nextConnectionId());
  }

  /**
   * A downstream connection starts (or turns HTTP/2): its request trailers are read from its
   * pipeline from now on.
   */
  void connected(HttpConnection c) {
    io.netty.channel.Channel ch = gateway.channels.channel(c);
    DownstreamTrailers t = ch == null ? null : DownstreamTrailers.attach(ch);
    if (t != null) {
      requestTrailers.put(c, t);
    }
  }

  /** The request trailers of a downstream connection, or null if they cannot be read. */
  DownstreamTrailers requestTrailers(HttpConnection c) {
    return requestTrailers.get(c);
  }

  void exchangeStarted() {
    gateway.activeExchanges.incrementAndGet();
  }

  void exchangeDone() {
    gateway.activeExchanges.decrementAndGet();
  }
}

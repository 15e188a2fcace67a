package io.proxywasm.gateway;

import io.proxywasm.host.Worker;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
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

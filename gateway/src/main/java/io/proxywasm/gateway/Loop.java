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

  void exchangeStarted() {
    gateway.activeExchanges.incrementAndGet();
  }

  void exchangeDone() {
    gateway.activeExchanges.decrementAndGet();
  }
}

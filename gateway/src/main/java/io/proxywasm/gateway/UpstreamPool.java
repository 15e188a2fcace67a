package io.proxywasm.gateway;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import java.util.ArrayDeque;

/**
 * One event loop's HTTP/1.1 connections to the endpoints of one cluster without TLS, as Envoy keeps
 * a connection pool per worker: every connection lives on the loop whose requests use it, and a
 * request takes the connection that went idle last, without the locks, per-request contexts and
 * futures of the client's shared pool. Clusters with TLS or HTTP/2 use the client's pool. Used on
 * the loop's thread only.
 *
 * <p>A connection returns to the pool when its response ended after the whole request went out and
 * the upstream keeps it open; any other outcome (a reset, a failure, a response before the end of
 * the request, {@code connection: close}) closes it. An idle connection is closed after {@link
 * #IDLE_MILLIS}, as the client's pool did; at most {@link #MAX_CONNECTIONS} are open to one
 * endpoint from one loop, further requests wait for one.
 */
final class UpstreamPool {
  /** How long a connection stays idle before it is closed: the client's keep-alive timeout. */
  static final long IDLE_MILLIS = HttpClientOptions.DEFAULT_KEEP_ALIVE_TIMEOUT * 1000L;

  /** The most connections one loop opens to one endpoint (the client's pool had as many). */
  static final int MAX_CONNECTIONS = 1024;

  /** A connection of the pool, lent to one request at a time. */
  static final class Conn {
    final HttpClientConnection connection;
    private final Endpoint endpoint;
    private boolean closed;

    /** While idle, its idle timeout; else null. */
    private Timeouts.Timeout idle;

    private Conn(HttpClientConnection connection, Endpoint endpoint) {
      this.connection = connection;
      this.endpoint = endpoint;
    }
  }

  /** The loop's connections to one endpoint. */
  private static final class Endpoint {
    final int index;

    /** Idle connections, the last to go idle at the end. */
    final ArrayDeque<Conn> idle = new ArrayDeque<>();

    /** Requests waiting for a connection while {@link #MAX_CONNECTIONS} are open. */
    final ArrayDeque<Promise<Conn>> waiting = new ArrayDeque<>();

    /** Open connections and connections being made. */
    int open;

    Endpoint(int index) {
      this.index = index;
    }
  }

  private final Loop loop;
  private final ClusterRuntime cluster;
  private final Endpoint[] endpoints;

  UpstreamPool(Loop loop, ClusterRuntime cluster) {
    this.loop = loop;
    this.cluster = cluster;
    this.endpoints = new Endpoint[cluster.endpointCount()];
    for (int i = 0; i < endpoints.length; i++) {
      endpoints[i] = new Endpoint(i);
    }
  }

  /** The connection that went idle last to an endpoint, taken from the pool; or null. */
  Conn idle(int endpoint) {
    Conn c = endpoints[endpoint].idle.pollLast();
    if (c != null) {
      c.idle.cancel();
      c.idle = null;
    }
    return c;
  }

  /**
   * A connection to an endpoint for a request that found none idle: a new one, or, with {@link
   * #MAX_CONNECTIONS} open, the next one released.
   */
  Future<Conn> connect(int endpoint) {
    return connect(endpoints[endpoint]);
  }

  private Future<Conn> connect(Endpoint endpoint) {
    if (endpoint.open >= MAX_CONNECTIONS) {
      Promise<Conn> p = Promise.promise();
      endpoint.waiting.add(p);
      return p.future();
    }
    endpoint.open++;
    int i = endpoint.index;
    HttpConnectOptions o =
        new HttpConnectOptions()
            .setServer(cluster.address(i))
            .setHost(cluster.requestHost(i, null))
            .setPort(cluster.endpoint(i).port());
    return cluster
        .client
        .connect(o)
        .map(
            hc -> {
              Conn c = new Conn(hc, endpoint);
              hc.closeHandler(v -> closed(c));
              return c;
            })
        .onFailure(e -> freed(endpoint));
  }

  /**
   * A request is done with its connection: back to the pool (or to a waiting request) if it may
   * carry another request, else closed.
   */
  void release(Conn c, boolean reusable) {
    if (c.closed) {
      return;
    }
    if (!reusable) {
      c.connection.close();
      return;
    }
    Promise<Conn> w = c.endpoint.waiting.poll();
    if (w != null) {
      w.complete(c);
      return;
    }
    c.endpoint.idle.addLast(c);
    c.idle =
        loop.timeouts.start(
            IDLE_MILLIS,
            () -> {
              c.idle = null;
              c.endpoint.idle.remove(c);
              c.connection.close();
            });
  }

  private void closed(Conn c) {
    c.closed = true;
    if (c.idle != null) {
      c.idle.cancel();
      c.idle = null;
      c.endpoint.idle.remove(c);
    }
    freed(c.endpoint);
  }

  /** A connection closed or failed to open: a waiting request may open one. */
  private void freed(Endpoint endpoint) {
    endpoint.open--;
    Promise<Conn> w = endpoint.waiting.poll();
    if (w != null) {
      connect(endpoint).onComplete(w);
    }
  }
}

package io.proxywasm.gateway;

import io.vertx.core.net.SocketAddress;
import javax.net.ssl.SSLSession;

/**
 * What a stream or TCP connection knows of its upstream, as Envoy's upstream info holds it: the
 * cluster and endpoint picked, then the connection's local address and TLS session, or why its
 * handshake failed. {@link ConnectionProperties} answers the {@code upstream.*} properties from it.
 * Set and read on the stream's event loop.
 */
final class UpstreamInfo {
  /** The cluster the endpoint was picked in, or null before one is. */
  ClusterRuntime cluster;

  /** The endpoint picked, or -1. */
  int endpointIndex = -1;

  /** The upstream connection's local address, once connected. */
  SocketAddress localAddress;

  /** The upstream connection's TLS session, once connected over TLS; else null. */
  SSLSession tls;

  /** Why the upstream TLS handshake failed, or empty. */
  String transportFailureReason = "";

  /** Upstream requests started: 1 once the router sent one (it does not retry), else 0. */
  int attempts;

  /** How long the pool took to give a connection, in nanoseconds, or -1 before it did. */
  long poolReadyNanos = -1;

  /** An endpoint is picked in a cluster. */
  void picked(ClusterRuntime cluster, int endpointIndex) {
    this.cluster = cluster;
    this.endpointIndex = endpointIndex;
  }

  /** Whether an endpoint was picked (Envoy has upstream info from then on). */
  boolean present() {
    return endpointIndex >= 0;
  }
}

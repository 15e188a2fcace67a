package io.proxywasm.gateway;

import io.proxywasm.gateway.config.GatewaySpec.ClusterSpec;
import io.proxywasm.gateway.config.GatewaySpec.Endpoint;
import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/** An upstream cluster: its pooled Vert.x client, its endpoints and load balancing, its stats. */
final class ClusterRuntime {
  final ClusterSpec spec;
  final HttpClientAgent client;
  final NetClient tcpClient;
  private final List<Endpoint> endpoints;

  /** The endpoints' addresses for the client, made once rather than for every request. */
  private final SocketAddress[] addresses;

  private final AtomicInteger next = new AtomicInteger();
  private final AtomicIntegerArray active;

  final Metric rqTotal;
  final Metric rqActive;
  final Metric cxConnectFail;
  final Metric cxTotal;
  final Metric rqTimeout;
  final Metric rqReset;
  final Metric[] rqByClass;

  ClusterRuntime(Vertx vertx, ClusterSpec spec, Stats stats) {
    this.spec = spec;
    this.endpoints = spec.endpoints();
    this.active = new AtomicIntegerArray(endpoints.size());
    this.addresses = new SocketAddress[endpoints.size()];
    for (int i = 0; i < addresses.length; i++) {
      addresses[i] =
          SocketAddress.inetSocketAddress(endpoints.get(i).port(), endpoints.get(i).host());
    }
    HttpClientOptions options =
        new HttpClientOptions()
            .setConnectTimeout((int) Math.max(1, spec.connectTimeout().toMillis()))
            .setKeepAlive(true)
            .setDecompressionSupported(false);
    if (spec.http2()) {
      options.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
    }
    if (spec.tls() != null) {
      UpstreamTls.http(options, spec);
    }
    this.client =
        vertx.createHttpClient(
            options,
            new PoolOptions().setHttp1MaxSize(1024).setHttp2MaxSize(16).setMaxWaitQueueSize(-1));
    NetClientOptions tcpOptions =
        new NetClientOptions()
            .setConnectTimeout((int) Math.max(1, spec.connectTimeout().toMillis()));
    if (spec.tls() != null) {
      UpstreamTls.tcp(tcpOptions, spec.tls());
    }
    this.tcpClient = vertx.createNetClient(tcpOptions);
    String p = "cluster." + spec.name() + ".";
    rqTotal = stats.stat(MetricType.COUNTER, p + "upstream_rq_total");
    rqActive = stats.stat(MetricType.GAUGE, p + "upstream_rq_active");
    cxConnectFail = stats.stat(MetricType.COUNTER, p + "upstream_cx_connect_fail");
    cxTotal = stats.stat(MetricType.COUNTER, p + "upstream_cx_total");
    rqTimeout = stats.stat(MetricType.COUNTER, p + "upstream_rq_timeout");
    rqReset = stats.stat(MetricType.COUNTER, p + "upstream_rq_tx_reset");
    rqByClass = stats.byStatusClass(p + "upstream_rq_");
  }

  /** Picks an endpoint by the cluster's policy; returns its index. */
  int pick() {
    int n = endpoints.size();
    if (n == 1) {
      return 0;
    }
    switch (spec.lbPolicy()) {
      case "RANDOM":
        return ThreadLocalRandom.current().nextInt(n);
      case "LEAST_REQUEST":
        {
          // two random choices, the less loaded wins (Envoy's default for LEAST_REQUEST)
          int a = ThreadLocalRandom.current().nextInt(n);
          int b = ThreadLocalRandom.current().nextInt(n);
          return active.get(a) <= active.get(b) ? a : b;
        }
      default:
        return Math.floorMod(next.getAndIncrement(), n);
    }
  }

  /**
   * Whether a request got a connection of the cluster's protocol. An HTTP/2 cluster over TLS whose
   * server selected no protocol by ALPN got an HTTP/1.1 one from Vert.x; Envoy speaks HTTP/2 there
   * all the same and fails with a protocol error, so such a connection is closed and the request
   * fails.
   */
  boolean speaksAsConfigured(HttpClientRequest r) {
    if (!spec.http2() || r.version() == HttpVersion.HTTP_2) {
      return true;
    }
    r.connection().close();
    return false;
  }

  /**
   * Whether the cluster speaks HTTP/1.1 without TLS: each loop keeps its own connections to it
   * ({@link UpstreamPool}).
   */
  boolean plainHttp1() {
    return spec.tls() == null && !spec.http2();
  }

  /** The number of endpoints. */
  int endpointCount() {
    return endpoints.size();
  }

  Endpoint endpoint(int index) {
    return endpoints.get(index);
  }

  /**
   * The host a request to an endpoint names to the client, which keys the pool and, over TLS, is
   * what the SNI name is chosen from (see {@link UpstreamTls}): with {@code auto_sni} the host of
   * the request's authority (an IP address there means the configured sni, or none); else the
   * configured sni when there is one; else the endpoint's host (no SNI name is sent then).
   *
   * @param index the endpoint
   * @param authority the request's {@code :authority} (or the gRPC call's), or null
   */
  String requestHost(int index, String authority) {
    if (spec.tls() != null && spec.autoSni() && authority != null) {
      String host = hostOf(authority);
      if (!host.isEmpty()) {
        return host;
      }
    }
    return spec.tls() != null && spec.tls().sni() != null
        ? spec.tls().sni()
        : endpoints.get(index).host();
  }

  /** The host of an authority: without its port, an IPv6 literal without its brackets. */
  static String hostOf(String authority) {
    if (authority.startsWith("[")) {
      int end = authority.indexOf(']');
      return end < 0 ? authority : authority.substring(1, end);
    }
    int colon = authority.indexOf(':');
    if (colon >= 0 && authority.indexOf(':', colon + 1) < 0) {
      return authority.substring(0, colon);
    }
    return authority;
  }

  /** The address of an endpoint, for the client. */
  SocketAddress address(int index) {
    return addresses[index];
  }

  void started(int index) {
    active.incrementAndGet(index);
  }

  void ended(int index) {
    active.decrementAndGet(index);
  }
}

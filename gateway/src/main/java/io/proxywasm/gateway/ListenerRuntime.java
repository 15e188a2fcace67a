package io.proxywasm.gateway;

import io.proxywasm.gateway.config.GatewaySpec.ListenerSpec;
import io.proxywasm.gateway.config.GatewaySpec.RouteSpec;
import io.proxywasm.gateway.config.GatewaySpec.VirtualHostSpec;
import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/** A listener while the gateway runs: its spec, its current plugin generation, its stats. */
final class ListenerRuntime {
  final ListenerSpec spec;
  final int index;
  final AtomicReference<LivePlugin> plugin = new AtomicReference<>();
  volatile int port;
  int bindPort;

  final Metric rqTotal;
  final Metric rqActive;
  final Metric cxTotal;
  final Metric rqRxReset;
  final Metric[] rqByClass;
  final Metric wasmFailStream;
  final Metric cxRxBytes;
  final Metric cxTxBytes;

  /** The access logs, or null when there are none. */
  AccessLogs accessLogs;

  /** TCP: connections whose cluster is unknown ({@code downstream_cx_no_route}). */
  final Metric cxNoRoute;

  ListenerRuntime(ListenerSpec spec, int index, Stats stats) {
    this.spec = spec;
    this.index = index;
    this.port = spec.port();
    if (spec.isTcp()) {
      // the TCP proxy's stats, as Envoy names them
      String p = "tcp." + spec.statPrefix() + ".";
      cxTotal = stats.stat(MetricType.COUNTER, p + "downstream_cx_total");
      cxRxBytes = stats.stat(MetricType.COUNTER, p + "downstream_cx_rx_bytes_total");
      cxTxBytes = stats.stat(MetricType.COUNTER, p + "downstream_cx_tx_bytes_total");
      cxNoRoute = stats.stat(MetricType.COUNTER, p + "downstream_cx_no_route");
      rqTotal = null;
      rqActive = null;
      rqRxReset = null;
      wasmFailStream = null;
      rqByClass = new Metric[6];
      return;
    }
    cxRxBytes = null;
    cxTxBytes = null;
    cxNoRoute = null;
    String p = "http." + spec.statPrefix() + ".";
    rqTotal = stats.stat(MetricType.COUNTER, p + "downstream_rq_total");
    rqActive = stats.stat(MetricType.GAUGE, p + "downstream_rq_active");
    cxTotal = stats.stat(MetricType.COUNTER, p + "downstream_cx_total");
    rqRxReset = stats.stat(MetricType.COUNTER, p + "downstream_rq_rx_reset");
    wasmFailStream = stats.stat(MetricType.COUNTER, p + "wasm_fail_stream");
    rqByClass = stats.byStatusClass(p + "downstream_rq_");
  }

  /**
   * The route for a request, or null: the first virtual host whose domain matches, then its first
   * matching route.
   */
  RouteSpec route(String authority, String path) {
    String host = authority == null ? "" : authority.toLowerCase(Locale.ROOT);
    VirtualHostSpec vh = virtualHost(host);
    if (vh == null && host.indexOf(':') >= 0 && !host.startsWith("[")) {
      vh = virtualHost(host.substring(0, host.indexOf(':')));
    }
    if (vh == null) {
      return null;
    }
    for (RouteSpec r : vh.routes()) {
      if (r.matches(path)) {
        return r;
      }
    }
    return null;
  }

  private VirtualHostSpec virtualHost(String host) {
    // Envoy's order: exact, then the longest suffix wildcard, then the longest prefix wildcard,
    // then *.
    VirtualHostSpec star = null;
    VirtualHostSpec suffix = null;
    int suffixLen = -1;
    VirtualHostSpec prefix = null;
    int prefixLen = -1;
    for (VirtualHostSpec vh : spec.virtualHosts()) {
      for (String d : vh.domains()) {
        String dom = d.toLowerCase(Locale.ROOT);
        if (dom.equals("*")) {
          if (star == null) {
            star = vh;
          }
        } else if (dom.startsWith("*")) {
          String s = dom.substring(1);
          if (host.endsWith(s) && host.length() > s.length() && s.length() > suffixLen) {
            suffix = vh;
            suffixLen = s.length();
          }
        } else if (dom.endsWith("*")) {
          String s = dom.substring(0, dom.length() - 1);
          if (host.startsWith(s) && host.length() > s.length() && s.length() > prefixLen) {
            prefix = vh;
            prefixLen = s.length();
          }
        } else if (dom.equals(host)) {
          return vh;
        }
      }
    }
    return suffix != null ? suffix : prefix != null ? prefix : star;
  }
}

package io.proxywasm.gateway.config;

import static io.proxywasm.gateway.config.YamlNodes.convert;
import static io.proxywasm.gateway.config.YamlNodes.duration;
import static io.proxywasm.gateway.config.YamlNodes.typed;
import static io.proxywasm.gateway.config.YamlNodes.unsupported;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proxywasm.gateway.config.GatewaySpec.AccessLogSpec;
import io.proxywasm.gateway.config.GatewaySpec.ClusterSpec;
import io.proxywasm.gateway.config.GatewaySpec.Endpoint;
import io.proxywasm.gateway.config.GatewaySpec.ListenerSpec;
import io.proxywasm.gateway.config.GatewaySpec.PluginSpec;
import io.proxywasm.gateway.config.GatewaySpec.TlsSpec;
import io.proxywasm.gateway.config.GatewaySpec.VirtualHostSpec;
import io.proxywasm.gateway.config.RouteReader.RouteConfiguration;
import io.proxywasm.gateway.config.SocketAddresses.Address;
import io.proxywasm.gateway.config.TlsReader.TransportSocket;
import io.proxywasm.gateway.config.YamlNodes.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The listeners ({@code static_resources.listeners}): one filter chain each, either an HTTP
 * connection manager (routes, HTTP wasm filters, the router) or network wasm filters before a TCP
 * proxy, and optionally downstream TLS.
 */
final class ListenerReader {
  static final String HCM_TYPE =
      "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
  static final String WASM_TYPE = "envoy.extensions.filters.http.wasm.v3.Wasm";
  static final String NETWORK_WASM_TYPE = "envoy.extensions.filters.network.wasm.v3.Wasm";
  static final String TCP_PROXY_TYPE = "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
  static final String ROUTER_TYPE = "envoy.extensions.filters.http.router.v3.Router";
  static final Set<String> HCM_NAMES =
      Set.of("envoy.filters.network.http_connection_manager", "envoy.http_connection_manager");
  static final String NETWORK_WASM = "envoy.filters.network.wasm";
  static final Set<String> TCP_PROXY_NAMES =
      Set.of("envoy.filters.network.tcp_proxy", "envoy.tcp_proxy");

  /**
   * A listener.
   *
   * @param name the name
   * @param address the address
   * @param filterChains the filter chains
   */
  record Listener(String name, Address address, List<FilterChain> filterChains) {}

  /**
   * A filter chain.
   *
   * @param filters the network filters
   * @param transportSocket the downstream TLS, or null for plain text
   */
  record FilterChain(List<Filter> filters, TransportSocket transportSocket) {}

  /**
   * The HTTP connection manager.
   *
   * @param statPrefix the stat prefix
   * @param codecType AUTO, HTTP1 or HTTP2
   * @param routeConfig the routes
   * @param httpFilters the HTTP filters
   * @param useRemoteAddress whether the peer address is appended to x-forwarded-for
   * @param serverName the server header
   * @param generateRequestId whether x-request-id is added
   * @param accessLog the access logs
   */
  record HttpConnectionManager(
      String statPrefix,
      String codecType,
      RouteConfiguration routeConfig,
      List<Filter> httpFilters,
      Boolean useRemoteAddress,
      String serverName,
      Boolean generateRequestId,
      JsonNode accessLog) {}

  /**
   * The TCP proxy.
   *
   * @param statPrefix the stat prefix
   * @param cluster the upstream cluster
   * @param idleTimeout how long a connection may stay idle (accepted, without effect)
   * @param accessLog the access logs
   */
  record TcpProxy(String statPrefix, String cluster, String idleTimeout, JsonNode accessLog) {}

  private final DataSources files;
  private final WasmReader wasm;
  private final RouteReader routes;
  private final Map<String, ClusterSpec> clusters;
  private final AccessLogReader accessLogs;

  /**
   * Reads listeners forwarding to the given clusters.
   *
   * @param files where certificates and direct response bodies are read from
   * @param wasm reads the wasm filters
   * @param clusters the clusters routes and TCP proxies may name
   */
  ListenerReader(DataSources files, WasmReader wasm, Map<String, ClusterSpec> clusters) {
    this.files = files;
    this.wasm = wasm;
    this.routes = new RouteReader(files, clusters);
    this.clusters = clusters;
    this.accessLogs = new AccessLogReader(files);
  }

  ListenerSpec listener(Listener l, String path) throws ConfigException {
    Endpoint at = SocketAddresses.endpoint(l.address(), path + ".address");
    if (l.filterChains() == null || l.filterChains().size() != 1) {
      throw new ConfigException(path + ".filter_chains: exactly one filter chain is supported");
    }
    String chainPath = path + ".filter_chains[0]";
    List<Filter> filters = l.filterChains().get(0).filters();
    if (filters == null || filters.isEmpty()) {
      throw new ConfigException(
          chainPath
              + ".filters: required: an http_connection_manager, or envoy.filters.network.wasm"
              + " filters followed by envoy.filters.network.tcp_proxy");
    }
    String listenerName = l.name() == null ? "listener_" + at.port() : l.name();
    TlsSpec tls =
        TlsReader.tls(
            l.filterChains().get(0).transportSocket(), chainPath + ".transport_socket", files);
    for (int i = 0; i < filters.size(); i++) {
      String name = filters.get(i).name();
      if (name == null) {
        throw new ConfigException(
            chainPath
                + ".filters["
                + i
                + "].name: required (envoy.filters.network.http_connection_manager,"
                + " envoy.filters.network.wasm or envoy.filters.network.tcp_proxy)");
      }
      if (!HCM_NAMES.contains(name)
          && !NETWORK_WASM.equals(name)
          && !TCP_PROXY_NAMES.contains(name)) {
        throw unsupported(
            chainPath + ".filters[" + i + "]",
            "network filter",
            name,
            "envoy.filters.network.http_connection_manager, envoy.filters.network.wasm,"
                + " envoy.filters.network.tcp_proxy");
      }
    }
    if (!HCM_NAMES.contains(filters.get(0).name()) || filters.size() > 1) {
      if (tls != null) {
        throw new ConfigException(
            chainPath + ".transport_socket: TLS is supported on HTTP listeners only");
      }
      return tcpListener(listenerName, at, filters, chainPath);
    }
    return httpListener(listenerName, at, filters.get(0), chainPath + ".filters[0]", tls);
  }

  /** A listener of one HTTP connection manager. */
  private ListenerSpec httpListener(String name, Endpoint at, Filter f, String fp, TlsSpec tls)
      throws ConfigException {
    String hp = fp + ".typed_config";
    ObjectNode hcmNode = typed(f.typedConfig(), hp, HCM_TYPE);
    HttpConnectionManager hcm = convert(hcmNode, HttpConnectionManager.class, hp);
    if (hcm.statPrefix() == null || hcm.statPrefix().isEmpty()) {
      throw new ConfigException(hp + ".stat_prefix: required");
    }
    if (hcm.codecType() != null && !Set.of("AUTO", "HTTP1", "HTTP2").contains(hcm.codecType())) {
      throw new ConfigException(
          hp + ".codec_type: " + hcm.codecType() + " is not one of AUTO, HTTP1, HTTP2");
    }
    if (Boolean.FALSE.equals(hcm.generateRequestId())) {
      throw new ConfigException(hp + ".generate_request_id: only true is supported");
    }
    if (hcm.routeConfig() == null) {
      throw new ConfigException(hp + ".route_config: required");
    }
    List<VirtualHostSpec> vhosts = routes.virtualHosts(hcm.routeConfig(), hp + ".route_config");
    List<PluginSpec> plugins = httpFilters(hcm.httpFilters(), hp);
    List<AccessLogSpec> logs = accessLogs.accessLogs(hcm.accessLog(), hp + ".access_log");
    return new ListenerSpec(
        name,
        at.host(),
        at.port(),
        hcm.statPrefix(),
        vhosts,
        plugins,
        hcm.useRemoteAddress() == null || hcm.useRemoteAddress(),
        hcm.serverName() == null ? "envoy" : hcm.serverName(),
        null,
        tls,
        logs);
  }

  /** The HTTP filters: wasm filters, then the router as the last one. */
  private List<PluginSpec> httpFilters(List<Filter> hf, String hp) throws ConfigException {
    List<PluginSpec> plugins = new ArrayList<>();
    if (hf == null || hf.isEmpty()) {
      throw new ConfigException(
          hp + ".http_filters: required, ending with envoy.filters.http.router");
    }
    for (int i = 0; i < hf.size(); i++) {
      String p = hp + ".http_filters[" + i + "]";
      Filter h = hf.get(i);
      boolean last = i == hf.size() - 1;
      if (h.name() == null) {
        throw new ConfigException(
            p + ".name: required (envoy.filters.http.wasm or envoy.filters.http.router)");
      }
      if (isRouter(h.name())) {
        if (!last) {
          throw new ConfigException(p + ".name: the router must be the last HTTP filter");
        }
        if (h.typedConfig() != null) {
          ObjectNode r = typed(h.typedConfig(), p + ".typed_config", ROUTER_TYPE);
          if (r.size() > 0) {
            throw new ConfigException(
                p + ".typed_config." + r.fieldNames().next() + ": unknown field");
          }
        }
      } else if ("envoy.filters.http.wasm".equals(h.name())) {
        plugins.add(wasm.filter(h.typedConfig(), p + ".typed_config", WASM_TYPE));
      } else {
        throw unsupported(
            p, "HTTP filter", h.name(), "envoy.filters.http.wasm, envoy.filters.http.router");
      }
      if (last && !isRouter(h.name())) {
        throw new ConfigException(
            hp + ".http_filters: the last filter must be envoy.filters.http.router");
      }
    }
    return plugins;
  }

  private static boolean isRouter(String name) {
    return "envoy.filters.http.router".equals(name) || "envoy.router".equals(name);
  }

  /**
   * A listener of network filters: any number of envoy.filters.network.wasm, then the TCP proxy.
   */
  private ListenerSpec tcpListener(String name, Endpoint at, List<Filter> filters, String chainPath)
      throws ConfigException {
    List<PluginSpec> plugins = new ArrayList<>();
    TcpProxy proxy = null;
    List<AccessLogSpec> logs = List.of();
    for (int i = 0; i < filters.size(); i++) {
      Filter f = filters.get(i);
      String fp = chainPath + ".filters[" + i + "]";
      boolean last = i == filters.size() - 1;
      if (HCM_NAMES.contains(f.name())) {
        throw new ConfigException(
            fp
                + ".name: the http_connection_manager must be the only network filter of its"
                + " chain (network wasm filters go before envoy.filters.network.tcp_proxy)");
      } else if (NETWORK_WASM.equals(f.name())) {
        if (last) {
          throw new ConfigException(
              chainPath
                  + ".filters: envoy.filters.network.wasm needs envoy.filters.network.tcp_proxy"
                  + " after it, as the last filter");
        }
        plugins.add(wasm.filter(f.typedConfig(), fp + ".typed_config", NETWORK_WASM_TYPE));
      } else {
        if (!last) {
          throw new ConfigException(
              fp + ".name: envoy.filters.network.tcp_proxy must be the last network filter");
        }
        proxy = tcpProxy(f, fp + ".typed_config");
        logs = accessLogs.accessLogs(proxy.accessLog(), fp + ".typed_config.access_log");
      }
    }
    return new ListenerSpec(
        name,
        at.host(),
        at.port(),
        proxy.statPrefix(),
        List.of(),
        plugins,
        false,
        "",
        proxy.cluster(),
        null,
        logs);
  }

  /** The TCP proxy to a cluster that is not HTTP/2. */
  private TcpProxy tcpProxy(Filter f, String tp) throws ConfigException {
    TcpProxy proxy = convert(typed(f.typedConfig(), tp, TCP_PROXY_TYPE), TcpProxy.class, tp);
    if (proxy.statPrefix() == null || proxy.statPrefix().isEmpty()) {
      throw new ConfigException(tp + ".stat_prefix: required");
    }
    if (proxy.cluster() == null || proxy.cluster().isEmpty()) {
      throw new ConfigException(tp + ".cluster: required");
    }
    if (ClusterReader.known(proxy.cluster(), clusters, tp + ".cluster").http2()) {
      throw new ConfigException(
          tp + ".cluster: " + proxy.cluster() + " is an HTTP/2 cluster, not a TCP one");
    }
    if (proxy.idleTimeout() != null) {
      duration(proxy.idleTimeout(), tp + ".idle_timeout");
    }
    return proxy;
  }
}

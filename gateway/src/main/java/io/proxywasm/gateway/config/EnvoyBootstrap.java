package io.proxywasm.gateway.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.proxywasm.gateway.config.GatewaySpec.AdminSpec;
import io.proxywasm.gateway.config.GatewaySpec.ClusterSpec;
import io.proxywasm.gateway.config.GatewaySpec.Endpoint;
import io.proxywasm.gateway.config.GatewaySpec.ListenerSpec;
import io.proxywasm.gateway.config.GatewaySpec.PluginSpec;
import io.proxywasm.gateway.config.GatewaySpec.RouteSpec;
import io.proxywasm.gateway.config.GatewaySpec.TlsSpec;
import io.proxywasm.gateway.config.GatewaySpec.VirtualHostSpec;
import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.PluginConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the subset of Envoy's static bootstrap YAML the gateway runs, into Java records, and turns
 * it into a validated {@link GatewaySpec}. Every field is checked: an unknown field, an unsupported
 * filter or a wrong value is an error naming its place, for example {@code
 * static_resources.listeners[0].filter_chains[0].filters[0].typed_config.foo: unknown field}.
 */
public final class EnvoyBootstrap {
  static final String HCM_TYPE =
      "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
  static final String WASM_TYPE = "envoy.extensions.filters.http.wasm.v3.Wasm";
  static final String NETWORK_WASM_TYPE = "envoy.extensions.filters.network.wasm.v3.Wasm";
  static final String TCP_PROXY_TYPE = "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
  static final String ROUTER_TYPE = "envoy.extensions.filters.http.router.v3.Router";
  static final String HTTP_PROTOCOL_OPTIONS_TYPE =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
  static final Set<String> HCM_NAMES =
      Set.of("envoy.filters.network.http_connection_manager", "envoy.http_connection_manager");
  static final String NETWORK_WASM = "envoy.filters.network.wasm";
  static final Set<String> TCP_PROXY_NAMES =
      Set.of("envoy.filters.network.tcp_proxy", "envoy.tcp_proxy");
  static final String WASM_SERVICE_TYPE = "envoy.extensions.wasm.v3.WasmService";
  static final String TLS_CONTEXT_TYPE =
      "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
  static final Set<String> TYPED_STRUCTS =
      Set.of("udpa.type.v1.TypedStruct", "xds.type.v3.TypedStruct");

  private static final YAMLMapper MAPPER = mapper();

  private EnvoyBootstrap() {}

  private static YAMLMapper mapper() {
    YAMLMapper m = new YAMLMapper();
    m.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    m.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    return m;
  }

  // ---- The YAML as records (field names in snake_case in the file) ----

  /**
   * The bootstrap.
   *
   * @param node the node
   * @param staticResources listeners and clusters
   * @param admin the admin listener
   * @param bootstrapExtensions the singleton service plugins (envoy.bootstrap.wasm)
   */
  record Bootstrap(
      Node node, StaticResources staticResources, Admin admin, List<Filter> bootstrapExtensions) {}

  /**
   * The node.
   *
   * @param id the id
   * @param cluster the cluster
   */
  record Node(String id, String cluster) {}

  /**
   * The admin listener.
   *
   * @param accessLogPath the access log
   * @param address the address
   */
  record Admin(String accessLogPath, Address address) {}

  /**
   * Static resources.
   *
   * @param listeners the listeners
   * @param clusters the clusters
   */
  record StaticResources(List<Listener> listeners, List<Cluster> clusters) {}

  /**
   * An address.
   *
   * @param socketAddress the socket address
   */
  record Address(SocketAddress socketAddress) {}

  /**
   * A socket address.
   *
   * @param address the host
   * @param portValue the port
   * @param protocol TCP
   */
  record SocketAddress(String address, Integer portValue, String protocol) {}

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
   * A transport socket.
   *
   * @param name envoy.transport_sockets.tls
   * @param typedConfig a DownstreamTlsContext
   */
  record TransportSocket(String name, JsonNode typedConfig) {}

  /**
   * A downstream TLS context.
   *
   * @param commonTlsContext the certificate and ALPN protocols
   */
  record DownstreamTlsContext(CommonTlsContext commonTlsContext) {}

  /**
   * The certificate and ALPN protocols.
   *
   * @param tlsCertificates exactly one certificate
   * @param alpnProtocols the protocols offered, such as h2 and http/1.1
   */
  record CommonTlsContext(List<TlsCertificate> tlsCertificates, List<String> alpnProtocols) {}

  /**
   * A certificate and its key.
   *
   * @param certificateChain the PEM chain
   * @param privateKey the PEM key
   */
  record TlsCertificate(DataSource certificateChain, DataSource privateKey) {}

  /**
   * A network or HTTP filter.
   *
   * @param name the filter name
   * @param typedConfig its configuration, typed by {@code @type}
   */
  record Filter(String name, JsonNode typedConfig) {}

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
   */
  record HttpConnectionManager(
      String statPrefix,
      String codecType,
      RouteConfiguration routeConfig,
      List<Filter> httpFilters,
      Boolean useRemoteAddress,
      String serverName,
      Boolean generateRequestId) {}

  /**
   * The TCP proxy.
   *
   * @param statPrefix the stat prefix
   * @param cluster the upstream cluster
   * @param idleTimeout how long a connection may stay idle (accepted, without effect)
   */
  record TcpProxy(String statPrefix, String cluster, String idleTimeout) {}

  /**
   * A route configuration.
   *
   * @param name the name
   * @param virtualHosts the virtual hosts
   */
  record RouteConfiguration(String name, List<VirtualHost> virtualHosts) {}

  /**
   * A virtual host.
   *
   * @param name the name
   * @param domains the domains
   * @param routes the routes
   */
  record VirtualHost(String name, List<String> domains, List<Route> routes) {}

  /**
   * A route.
   *
   * @param name the name
   * @param match the match
   * @param route the route action
   * @param directResponse the direct response
   */
  record Route(String name, RouteMatch match, RouteAction route, DirectResponse directResponse) {}

  /**
   * A route match.
   *
   * @param prefix a path prefix
   * @param path a whole path
   */
  record RouteMatch(String prefix, String path) {}

  /**
   * A route action.
   *
   * @param cluster the cluster
   * @param prefixRewrite the prefix rewrite
   * @param timeout the timeout
   */
  record RouteAction(String cluster, String prefixRewrite, String timeout) {}

  /**
   * A direct response.
   *
   * @param status the status
   * @param body the body
   */
  record DirectResponse(Integer status, DataSource body) {}

  /**
   * A data source.
   *
   * @param filename a file
   * @param inlineString text
   * @param inlineBytes base64 bytes
   */
  record DataSource(String filename, String inlineString, String inlineBytes) {}

  /**
   * The wasm HTTP filter.
   *
   * @param config the plugin
   */
  record Wasm(PluginConfigYaml config) {}

  /**
   * A wasm plugin.
   *
   * @param name the name
   * @param rootId the root id
   * @param vmConfig the VM
   * @param configuration the plugin configuration
   * @param failOpen whether the plugin fails open
   * @param failurePolicy FAIL_CLOSED, FAIL_OPEN or FAIL_RELOAD
   * @param capabilityRestrictionConfig the allowed capabilities
   */
  record PluginConfigYaml(
      String name,
      String rootId,
      VmConfig vmConfig,
      JsonNode configuration,
      Boolean failOpen,
      String failurePolicy,
      CapabilityRestrictionConfig capabilityRestrictionConfig) {}

  /**
   * A VM.
   *
   * @param vmId the vm id
   * @param runtime the runtime
   * @param code the code
   * @param configuration the VM configuration
   * @param environmentVariables the environment
   * @param allowPrecompiled accepted, without effect
   */
  record VmConfig(
      String vmId,
      String runtime,
      AsyncDataSource code,
      JsonNode configuration,
      EnvironmentVariables environmentVariables,
      Boolean allowPrecompiled) {}

  /**
   * Where code comes from.
   *
   * @param local a local source
   * @param remote a remote source (refused)
   */
  record AsyncDataSource(DataSource local, JsonNode remote) {}

  /**
   * The environment of the VM.
   *
   * @param hostEnvKeys names read from the gateway's environment
   * @param keyValues fixed names and values
   */
  record EnvironmentVariables(List<String> hostEnvKeys, Map<String, String> keyValues) {}

  /**
   * Capability restrictions.
   *
   * @param allowedCapabilities the allowed names
   */
  record CapabilityRestrictionConfig(Map<String, JsonNode> allowedCapabilities) {}

  /**
   * A cluster.
   *
   * @param name the name
   * @param type the discovery type
   * @param connectTimeout the connect timeout
   * @param lbPolicy the load balancing policy
   * @param loadAssignment the endpoints
   * @param http2ProtocolOptions present for HTTP/2 upstreams
   * @param typedExtensionProtocolOptions the protocol options by extension name
   * @param dnsLookupFamily accepted, without effect
   */
  record Cluster(
      String name,
      String type,
      String connectTimeout,
      String lbPolicy,
      LoadAssignment loadAssignment,
      JsonNode http2ProtocolOptions,
      Map<String, JsonNode> typedExtensionProtocolOptions,
      String dnsLookupFamily) {}

  /**
   * A load assignment.
   *
   * @param clusterName the cluster name
   * @param endpoints the endpoints per locality
   */
  record LoadAssignment(String clusterName, List<LocalityLbEndpoints> endpoints) {}

  /**
   * The endpoints of a locality.
   *
   * @param lbEndpoints the endpoints
   */
  record LocalityLbEndpoints(List<LbEndpoint> lbEndpoints) {}

  /**
   * An endpoint with load balancing data.
   *
   * @param endpoint the endpoint
   */
  record LbEndpoint(EndpointYaml endpoint) {}

  /**
   * An endpoint.
   *
   * @param address the address
   */
  record EndpointYaml(Address address) {}

  /**
   * Upstream HTTP protocol options.
   *
   * @param explicitHttpConfig the protocol
   */
  record HttpProtocolOptions(ExplicitHttpConfig explicitHttpConfig) {}

  /**
   * An explicit protocol.
   *
   * @param httpProtocolOptions HTTP/1.1
   * @param http2ProtocolOptions HTTP/2
   */
  record ExplicitHttpConfig(JsonNode httpProtocolOptions, JsonNode http2ProtocolOptions) {}

  // ---- Reading ----

  /**
   * Reads and validates a bootstrap file.
   *
   * @param file the YAML file
   * @return the validated configuration
   * @throws ConfigException naming the place of the first problem
   */
  public static GatewaySpec load(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + file + ": " + e.getMessage(), e);
    }
    // relative file names are resolved against the working directory, as Envoy resolves them
    return parse(text, null);
  }

  /**
   * Reads and validates bootstrap YAML.
   *
   * @param yaml the YAML text
   * @param baseDir the directory relative file names are resolved against, or null for the working
   *     directory
   * @return the validated configuration
   * @throws ConfigException naming the place of the first problem
   */
  public static GatewaySpec parse(String yaml, Path baseDir) throws ConfigException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          "the configuration is not valid YAML"
              + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : "")
              + ": "
              + e.getOriginalMessage(),
          e);
    }
    if (tree == null || !tree.isObject()) {
      throw new ConfigException("the configuration is empty or not a mapping");
    }
    Bootstrap b = convert(tree, Bootstrap.class, "");
    return new Reader(baseDir).bootstrap(b);
  }

  static <T> T convert(JsonNode node, Class<T> type, String path) throws ConfigException {
    try {
      return MAPPER.treeToValue(node, type);
    } catch (JacksonException e) {
      throw mappingError(e, path);
    }
  }

  private static ConfigException mappingError(JacksonException e, String prefix) {
    StringBuilder where = new StringBuilder(prefix);
    if (e instanceof JsonMappingException m) {
      for (JsonMappingException.Reference r : m.getPath()) {
        if (r.getFieldName() != null) {
          if (where.length() > 0) {
            where.append('.');
          }
          where.append(r.getFieldName());
        } else if (r.getIndex() >= 0) {
          where.append('[').append(r.getIndex()).append(']');
        }
      }
    }
    String at = where.length() == 0 ? "the configuration" : where.toString();
    if (e instanceof UnrecognizedPropertyException u) {
      Set<String> known = new TreeSet<>();
      Collection<Object> ids = u.getKnownPropertyIds();
      if (ids != null) {
        ids.forEach(id -> known.add(String.valueOf(id)));
      }
      return new ConfigException(
          at
              + ": unknown field"
              + (known.isEmpty() ? "" : " (supported here: " + String.join(", ", known) + ")"),
          e);
    }
    if (e instanceof MismatchedInputException mi) {
      return new ConfigException(at + ": expected " + describe(mi.getTargetType()), e);
    }
    return new ConfigException(at + ": " + e.getOriginalMessage(), e);
  }

  private static String describe(Class<?> type) {
    if (type == null) {
      return "another kind of value";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "a mapping";
  }

  /** Turns the records into a {@link GatewaySpec}, checking every value. */
  private static final class Reader {
    private final Path baseDir;

    Reader(Path baseDir) {
      this.baseDir = baseDir;
    }

    GatewaySpec bootstrap(Bootstrap b) throws ConfigException {
      if (b.staticResources() == null) {
        throw new ConfigException("static_resources: required");
      }
      Map<String, ClusterSpec> clusters = new LinkedHashMap<>();
      List<Cluster> cs =
          b.staticResources().clusters() == null ? List.of() : b.staticResources().clusters();
      for (int i = 0; i < cs.size(); i++) {
        ClusterSpec c = cluster(cs.get(i), "static_resources.clusters[" + i + "]");
        if (clusters.put(c.name(), c) != null) {
          throw new ConfigException(
              "static_resources.clusters["
                  + i
                  + "].name: cluster "
                  + c.name()
                  + " is defined twice");
        }
      }
      List<Listener> ls = b.staticResources().listeners();
      if (ls == null || ls.isEmpty()) {
        throw new ConfigException("static_resources.listeners: at least one listener is required");
      }
      List<ListenerSpec> listeners = new ArrayList<>();
      for (int i = 0; i < ls.size(); i++) {
        listeners.add(listener(ls.get(i), "static_resources.listeners[" + i + "]", clusters));
      }
      AdminSpec admin = null;
      if (b.admin() != null) {
        Endpoint a = address(b.admin().address(), "admin.address");
        admin = new AdminSpec(a.host(), a.port(), nz(b.admin().accessLogPath()));
      }
      List<PluginSpec> services = new ArrayList<>();
      List<Filter> ext = b.bootstrapExtensions() == null ? List.of() : b.bootstrapExtensions();
      for (int i = 0; i < ext.size(); i++) {
        services.add(service(ext.get(i), "bootstrap_extensions[" + i + "]"));
      }
      Node node = b.node();
      return new GatewaySpec(
          listeners,
          clusters,
          admin,
          node == null ? "" : nz(node.id()),
          node == null ? "" : nz(node.cluster()),
          services);
    }

    Endpoint address(Address a, String path) throws ConfigException {
      if (a == null || a.socketAddress() == null) {
        throw new ConfigException(path + ".socket_address: required");
      }
      SocketAddress s = a.socketAddress();
      if (s.address() == null || s.address().isEmpty()) {
        throw new ConfigException(path + ".socket_address.address: required");
      }
      if (s.portValue() == null) {
        throw new ConfigException(path + ".socket_address.port_value: required");
      }
      if (s.portValue() < 0 || s.portValue() > 65535) {
        throw new ConfigException(
            path + ".socket_address.port_value: " + s.portValue() + " is not a port (0 to 65535)");
      }
      if (s.protocol() != null && !s.protocol().equals("TCP")) {
        throw new ConfigException(
            path + ".socket_address.protocol: only TCP is supported, not " + s.protocol());
      }
      return new Endpoint(s.address(), s.portValue());
    }

    ListenerSpec listener(Listener l, String path, Map<String, ClusterSpec> clusters)
        throws ConfigException {
      Endpoint at = address(l.address(), path + ".address");
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
      TlsSpec tls = tls(l.filterChains().get(0).transportSocket(), chainPath + ".transport_socket");
      for (int i = 0; i < filters.size(); i++) {
        String name = filters.get(i).name();
        if (!HCM_NAMES.contains(name)
            && !NETWORK_WASM.equals(name)
            && !TCP_PROXY_NAMES.contains(name)) {
          throw new ConfigException(
              chainPath
                  + ".filters["
                  + i
                  + "].name: unsupported network filter "
                  + name
                  + " (supported: envoy.filters.network.http_connection_manager,"
                  + " envoy.filters.network.wasm, envoy.filters.network.tcp_proxy)");
        }
      }
      if (!HCM_NAMES.contains(filters.get(0).name()) || filters.size() > 1) {
        if (tls != null) {
          throw new ConfigException(
              chainPath + ".transport_socket: TLS is supported on HTTP listeners only");
        }
        return tcpListener(listenerName, at, filters, chainPath, clusters);
      }
      String fp = chainPath + ".filters[0]";
      Filter f = filters.get(0);
      ObjectNode hcmNode = typed(f.typedConfig(), fp + ".typed_config", HCM_TYPE);
      HttpConnectionManager hcm =
          convert(hcmNode, HttpConnectionManager.class, fp + ".typed_config");
      String hp = fp + ".typed_config";
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
      List<VirtualHostSpec> vhosts =
          virtualHosts(hcm.routeConfig(), hp + ".route_config", clusters);
      List<PluginSpec> plugins = new ArrayList<>();
      List<Filter> hf = hcm.httpFilters();
      if (hf == null || hf.isEmpty()) {
        throw new ConfigException(
            hp + ".http_filters: required, ending with envoy.filters.http.router");
      }
      for (int i = 0; i < hf.size(); i++) {
        String p = hp + ".http_filters[" + i + "]";
        Filter h = hf.get(i);
        boolean last = i == hf.size() - 1;
        if ("envoy.filters.http.router".equals(h.name()) || "envoy.router".equals(h.name())) {
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
          plugins.add(wasm(h.typedConfig(), p + ".typed_config", WASM_TYPE));
        } else {
          throw new ConfigException(
              p
                  + ".name: unsupported HTTP filter "
                  + h.name()
                  + " (supported: envoy.filters.http.wasm, envoy.filters.http.router)");
        }
        if (last
            && !("envoy.filters.http.router".equals(h.name()) || "envoy.router".equals(h.name()))) {
          throw new ConfigException(
              hp + ".http_filters: the last filter must be envoy.filters.http.router");
        }
      }
      return new ListenerSpec(
          l.name() == null ? "listener_" + at.port() : l.name(),
          at.host(),
          at.port(),
          hcm.statPrefix(),
          vhosts,
          plugins,
          hcm.useRemoteAddress() == null || hcm.useRemoteAddress(),
          hcm.serverName() == null ? "envoy" : hcm.serverName(),
          null,
          tls);
    }

    List<VirtualHostSpec> virtualHosts(
        RouteConfiguration rc, String path, Map<String, ClusterSpec> clusters)
        throws ConfigException {
      List<VirtualHostSpec> out = new ArrayList<>();
      List<VirtualHost> vhs = rc.virtualHosts() == null ? List.of() : rc.virtualHosts();
      if (vhs.isEmpty()) {
        throw new ConfigException(path + ".virtual_hosts: at least one virtual host is required");
      }
      for (int i = 0; i < vhs.size(); i++) {
        VirtualHost vh = vhs.get(i);
        String vp = path + ".virtual_hosts[" + i + "]";
        if (vh.domains() == null || vh.domains().isEmpty()) {
          throw new ConfigException(vp + ".domains: at least one domain is required");
        }
        for (int d = 0; d < vh.domains().size(); d++) {
          String dom = vh.domains().get(d);
          if (dom == null
              || dom.isEmpty()
              || dom.indexOf('*') != dom.lastIndexOf('*')
              || (dom.contains("*")
                  && !dom.equals("*")
                  && !dom.startsWith("*")
                  && !dom.endsWith("*"))) {
            throw new ConfigException(
                vp + ".domains[" + d + "]: " + dom + " is not a host name, *, *.suffix or prefix*");
          }
        }
        List<RouteSpec> routes = new ArrayList<>();
        List<Route> rs = vh.routes() == null ? List.of() : vh.routes();
        for (int r = 0; r < rs.size(); r++) {
          routes.add(route(rs.get(r), vp + ".routes[" + r + "]", clusters));
        }
        out.add(new VirtualHostSpec(nz(vh.name()), vh.domains(), routes));
      }
      return out;
    }

    RouteSpec route(Route r, String path, Map<String, ClusterSpec> clusters)
        throws ConfigException {
      if (r.match() == null) {
        throw new ConfigException(path + ".match: required");
      }
      RouteMatch m = r.match();
      if ((m.prefix() == null) == (m.path() == null)) {
        throw new ConfigException(path + ".match: exactly one of prefix and path is required");
      }
      boolean exact = m.path() != null;
      String match = exact ? m.path() : m.prefix();
      if ((r.route() == null) == (r.directResponse() == null)) {
        throw new ConfigException(path + ": exactly one of route and direct_response is required");
      }
      if (r.route() != null) {
        RouteAction a = r.route();
        if (a.cluster() == null) {
          throw new ConfigException(path + ".route.cluster: required");
        }
        if (!clusters.containsKey(a.cluster())) {
          throw new ConfigException(
              path
                  + ".route.cluster: unknown cluster "
                  + a.cluster()
                  + " (defined: "
                  + String.join(", ", clusters.keySet())
                  + ")");
        }
        if (a.prefixRewrite() != null && exact) {
          throw new ConfigException(path + ".route.prefix_rewrite: needs a prefix match");
        }
        Duration timeout =
            a.timeout() == null
                ? Duration.ofSeconds(15)
                : duration(a.timeout(), path + ".route.timeout");
        return new RouteSpec(
            nz(r.name()), exact, match, a.cluster(), a.prefixRewrite(), timeout, 0, "");
      }
      DirectResponse d = r.directResponse();
      if (d.status() == null || d.status() < 200 || d.status() > 599) {
        throw new ConfigException(
            path + ".direct_response.status: a status from 200 to 599 is required");
      }
      String body =
          d.body() == null
              ? ""
              : new String(data(d.body(), path + ".direct_response.body"), StandardCharsets.UTF_8);
      return new RouteSpec(nz(r.name()), exact, match, null, null, Duration.ZERO, d.status(), body);
    }

    byte[] data(DataSource s, String path) throws ConfigException {
      int set =
          (s.filename() != null ? 1 : 0)
              + (s.inlineString() != null ? 1 : 0)
              + (s.inlineBytes() != null ? 1 : 0);
      if (set != 1) {
        throw new ConfigException(
            path + ": exactly one of filename, inline_string, inline_bytes is required");
      }
      if (s.inlineString() != null) {
        return s.inlineString().getBytes(StandardCharsets.UTF_8);
      }
      if (s.inlineBytes() != null) {
        try {
          return Base64.getMimeDecoder().decode(s.inlineBytes());
        } catch (IllegalArgumentException e) {
          throw new ConfigException(path + ".inline_bytes: not base64: " + e.getMessage(), e);
        }
      }
      Path f = file(s.filename());
      try {
        return Files.readAllBytes(f);
      } catch (IOException e) {
        throw new ConfigException(path + ".filename: cannot read " + f + ": " + e.getMessage(), e);
      }
    }

    Path file(String name) {
      Path p = Path.of(name);
      return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p).normalize();
    }

    /** Downstream TLS from a transport socket: one PEM certificate and key, files only. */
    TlsSpec tls(TransportSocket ts, String path) throws ConfigException {
      if (ts == null) {
        return null;
      }
      if (!"envoy.transport_sockets.tls".equals(ts.name()) && !"tls".equals(ts.name())) {
        throw new ConfigException(
            path
                + ".name: unsupported transport socket "
                + ts.name()
                + " (supported: envoy.transport_sockets.tls)");
      }
      String tp = path + ".typed_config";
      DownstreamTlsContext d =
          convert(typed(ts.typedConfig(), tp, TLS_CONTEXT_TYPE), DownstreamTlsContext.class, tp);
      CommonTlsContext c = d.commonTlsContext();
      String cp = tp + ".common_tls_context";
      if (c == null || c.tlsCertificates() == null || c.tlsCertificates().size() != 1) {
        throw new ConfigException(cp + ".tls_certificates: exactly one certificate is required");
      }
      TlsCertificate cert = c.tlsCertificates().get(0);
      String certPath = cp + ".tls_certificates[0]";
      Path chain = pemFile(cert.certificateChain(), certPath + ".certificate_chain");
      Path key = pemFile(cert.privateKey(), certPath + ".private_key");
      List<String> alpn = c.alpnProtocols() == null ? List.of() : c.alpnProtocols();
      for (int i = 0; i < alpn.size(); i++) {
        if (!alpn.get(i).equals("h2") && !alpn.get(i).equals("http/1.1")) {
          throw new ConfigException(
              cp + ".alpn_protocols[" + i + "]: " + alpn.get(i) + " is not h2 or http/1.1");
        }
      }
      return new TlsSpec(chain, key, alpn);
    }

    private Path pemFile(DataSource s, String path) throws ConfigException {
      if (s == null
          || s.filename() == null
          || s.inlineString() != null
          || s.inlineBytes() != null) {
        throw new ConfigException(path + ".filename: required (a PEM file)");
      }
      Path f = file(s.filename());
      if (!Files.isReadable(f)) {
        throw new ConfigException(path + ".filename: cannot read " + f);
      }
      return f;
    }

    /**
     * A listener of network filters: any number of envoy.filters.network.wasm, then the TCP proxy.
     */
    ListenerSpec tcpListener(
        String name,
        Endpoint at,
        List<Filter> filters,
        String chainPath,
        Map<String, ClusterSpec> clusters)
        throws ConfigException {
      List<PluginSpec> plugins = new ArrayList<>();
      TcpProxy proxy = null;
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
          plugins.add(wasm(f.typedConfig(), fp + ".typed_config", NETWORK_WASM_TYPE));
        } else {
          if (!last) {
            throw new ConfigException(
                fp + ".name: envoy.filters.network.tcp_proxy must be the last network filter");
          }
          String tp = fp + ".typed_config";
          proxy = convert(typed(f.typedConfig(), tp, TCP_PROXY_TYPE), TcpProxy.class, tp);
          if (proxy.statPrefix() == null || proxy.statPrefix().isEmpty()) {
            throw new ConfigException(tp + ".stat_prefix: required");
          }
          if (proxy.cluster() == null || proxy.cluster().isEmpty()) {
            throw new ConfigException(tp + ".cluster: required");
          }
          if (!clusters.containsKey(proxy.cluster())) {
            throw new ConfigException(
                tp
                    + ".cluster: unknown cluster "
                    + proxy.cluster()
                    + " (defined: "
                    + String.join(", ", clusters.keySet())
                    + ")");
          }
          if (clusters.get(proxy.cluster()).http2()) {
            throw new ConfigException(
                tp + ".cluster: " + proxy.cluster() + " is an HTTP/2 cluster, not a TCP one");
          }
          if (proxy.idleTimeout() != null) {
            duration(proxy.idleTimeout(), tp + ".idle_timeout");
          }
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
          null);
    }

    PluginSpec wasm(JsonNode typedConfig, String path, String type) throws ConfigException {
      return wasm(typed(typedConfig, path, type), path);
    }

    /** A singleton service: envoy.bootstrap.wasm with a WasmService, {@code singleton: true}. */
    PluginSpec service(Filter f, String path) throws ConfigException {
      if (!"envoy.bootstrap.wasm".equals(f.name())) {
        throw new ConfigException(
            path
                + ".name: unsupported bootstrap extension "
                + f.name()
                + " (supported: envoy.bootstrap.wasm)");
      }
      String tp = path + ".typed_config";
      ObjectNode node = typed(f.typedConfig(), tp, WASM_SERVICE_TYPE);
      JsonNode singleton = node.remove("singleton");
      if (singleton == null || !singleton.isBoolean() || !singleton.asBoolean()) {
        throw new ConfigException(
            tp
                + ".singleton: only singleton services are supported (singleton: true); a service"
                + " per worker is not");
      }
      if (!node.has("config")) {
        throw new ConfigException(tp + ".config: required");
      }
      return wasm(node, tp);
    }

    PluginSpec wasm(ObjectNode node, String path) throws ConfigException {
      PluginConfigYaml pc;
      String pp;
      if (node.has("config")) {
        pc = convert(node, Wasm.class, path).config();
        pp = path + ".config";
      } else {
        pc = convert(node, PluginConfigYaml.class, path);
        pp = path;
      }
      if (pc == null) {
        throw new ConfigException(path + ".config: required");
      }
      String name = nz(pc.name());
      PluginConfig.Builder b = PluginConfig.builder(name.isEmpty() ? "wasm" : name);
      b.rootId(nz(pc.rootId()));
      if (pc.vmConfig() == null) {
        throw new ConfigException(pp + ".vm_config: required");
      }
      VmConfig vm = pc.vmConfig();
      String vp = pp + ".vm_config";
      b.vmId(nz(vm.vmId()));
      String runtime = vm.runtime() == null ? "envoy.wasm.runtime.v8" : vm.runtime();
      boolean nullVm;
      switch (runtime) {
        case "envoy.wasm.runtime.v8",
            "envoy.wasm.runtime.wamr",
            "envoy.wasm.runtime.wasmtime",
            "envoy.wasm.runtime.wavm" ->
            nullVm = false;
        case "envoy.wasm.runtime.null" -> nullVm = true;
        default ->
            throw new ConfigException(
                vp
                    + ".runtime: unknown runtime "
                    + runtime
                    + " (supported: envoy.wasm.runtime.v8, .wamr, .wasmtime, .wavm run on the default"
                    + " wasm runtime; envoy.wasm.runtime.null runs a Java plugin)");
      }
      if (nullVm) {
        b.runtime("null");
      }
      if (vm.code() == null) {
        throw new ConfigException(vp + ".code: required");
      }
      if (vm.code().remote() != null) {
        throw new ConfigException(
            vp + ".code.remote: remote code is not supported; use code.local");
      }
      if (vm.code().local() == null) {
        throw new ConfigException(vp + ".code.local: required");
      }
      byte[] code = data(vm.code().local(), vp + ".code.local");
      Path codeFile =
          vm.code().local().filename() != null ? file(vm.code().local().filename()) : null;
      if (nullVm) {
        String n = new String(code, StandardCharsets.UTF_8).trim();
        b.javaPlugin(n.startsWith("java:") ? n.substring(5) : n);
        codeFile = null;
      } else {
        b.code(code);
      }
      if (vm.configuration() != null) {
        b.vmConfiguration(any(vm.configuration(), vp + ".configuration"));
      }
      if (vm.environmentVariables() != null) {
        Map<String, String> env = new LinkedHashMap<>();
        EnvironmentVariables ev = vm.environmentVariables();
        if (ev.hostEnvKeys() != null) {
          for (String k : ev.hostEnvKeys()) {
            String v = System.getenv(k);
            if (v != null) {
              env.put(k, v);
            }
          }
        }
        if (ev.keyValues() != null) {
          for (Map.Entry<String, String> e : ev.keyValues().entrySet()) {
            if (env.containsKey(e.getKey())) {
              throw new ConfigException(
                  vp
                      + ".environment_variables.key_values."
                      + e.getKey()
                      + ": also listed in host_env_keys");
            }
            env.put(e.getKey(), e.getValue());
          }
        }
        b.environment(env);
      }
      if (pc.configuration() != null) {
        b.pluginConfiguration(any(pc.configuration(), pp + ".configuration"));
      }
      FailPolicy policy =
          Boolean.TRUE.equals(pc.failOpen()) ? FailPolicy.FAIL_OPEN : FailPolicy.FAIL_CLOSED;
      if (pc.failurePolicy() != null) {
        if (pc.failOpen() != null) {
          throw new ConfigException(pp + ".failure_policy: set either fail_open or failure_policy");
        }
        policy =
            switch (pc.failurePolicy()) {
              case "FAIL_OPEN" -> FailPolicy.FAIL_OPEN;
              case "FAIL_CLOSED", "FAIL_RELOAD", "UNSPECIFIED" -> FailPolicy.FAIL_CLOSED;
              default ->
                  throw new ConfigException(
                      pp
                          + ".failure_policy: "
                          + pc.failurePolicy()
                          + " is not one of FAIL_CLOSED, FAIL_OPEN, FAIL_RELOAD");
            };
      }
      b.failPolicy(policy);
      if (pc.capabilityRestrictionConfig() != null
          && pc.capabilityRestrictionConfig().allowedCapabilities() != null) {
        Set<String> caps =
            new HashSet<>(pc.capabilityRestrictionConfig().allowedCapabilities().keySet());
        b.allowedCapabilities(caps);
      }
      return new PluginSpec(b.build(), codeFile, null);
    }

    /** An {@code Any} holding a google.protobuf.StringValue or BytesValue, or a plain string. */
    byte[] any(JsonNode n, String path) throws ConfigException {
      if (n.isTextual()) {
        return n.asText().getBytes(StandardCharsets.UTF_8);
      }
      if (!n.isObject()) {
        throw new ConfigException(
            path + ": expected a google.protobuf.StringValue ({\"@type\", value})");
      }
      String type = n.path("@type").asText("");
      String t = stripTypePrefix(type);
      var it = n.fieldNames();
      while (it.hasNext()) {
        String f = it.next();
        if (!f.equals("@type") && !f.equals("value")) {
          throw new ConfigException(path + "." + f + ": unknown field");
        }
      }
      JsonNode value = n.get("value");
      if (value != null && !value.isTextual()) {
        throw new ConfigException(path + ".value: expected a string");
      }
      String v = value == null ? "" : value.asText();
      return switch (t) {
        case "google.protobuf.StringValue" -> v.getBytes(StandardCharsets.UTF_8);
        case "google.protobuf.BytesValue" -> {
          try {
            yield Base64.getMimeDecoder().decode(v);
          } catch (IllegalArgumentException e) {
            throw new ConfigException(path + ".value: not base64: " + e.getMessage(), e);
          }
        }
        default ->
            throw new ConfigException(
                path
                    + ".@type: "
                    + (type.isEmpty() ? "required" : "unsupported type " + type)
                    + " (supported: type.googleapis.com/google.protobuf.StringValue, BytesValue)");
      };
    }

    ClusterSpec cluster(Cluster c, String path) throws ConfigException {
      if (c.name() == null || c.name().isEmpty()) {
        throw new ConfigException(path + ".name: required");
      }
      String type = c.type() == null ? "STATIC" : c.type();
      if (!Set.of("STATIC", "STRICT_DNS", "LOGICAL_DNS").contains(type)) {
        throw new ConfigException(
            path
                + ".type: "
                + type
                + " is not supported (supported: STATIC, STRICT_DNS, LOGICAL_DNS)");
      }
      String lb = c.lbPolicy() == null ? "ROUND_ROBIN" : c.lbPolicy();
      if (!Set.of("ROUND_ROBIN", "LEAST_REQUEST", "RANDOM").contains(lb)) {
        throw new ConfigException(
            path
                + ".lb_policy: "
                + lb
                + " is not supported (supported: ROUND_ROBIN, LEAST_REQUEST, RANDOM)");
      }
      Duration connect =
          c.connectTimeout() == null
              ? Duration.ofSeconds(5)
              : duration(c.connectTimeout(), path + ".connect_timeout");
      if (c.loadAssignment() == null || c.loadAssignment().endpoints() == null) {
        throw new ConfigException(path + ".load_assignment.endpoints: required");
      }
      List<Endpoint> eps = new ArrayList<>();
      List<LocalityLbEndpoints> locs = c.loadAssignment().endpoints();
      for (int i = 0; i < locs.size(); i++) {
        List<LbEndpoint> lbs =
            locs.get(i).lbEndpoints() == null ? List.of() : locs.get(i).lbEndpoints();
        for (int j = 0; j < lbs.size(); j++) {
          String ep =
              path + ".load_assignment.endpoints[" + i + "].lb_endpoints[" + j + "].endpoint";
          if (lbs.get(j).endpoint() == null) {
            throw new ConfigException(ep + ": required");
          }
          Endpoint e = address(lbs.get(j).endpoint().address(), ep + ".address");
          if (e.port() == 0) {
            throw new ConfigException(
                ep + ".address.socket_address.port_value: an upstream needs a port");
          }
          if (type.equals("STATIC") && !isIp(e.host())) {
            throw new ConfigException(
                ep
                    + ".address.socket_address.address: a STATIC cluster needs an IP address, not "
                    + e.host()
                    + " (use STRICT_DNS or LOGICAL_DNS for host names)");
          }
          eps.add(e);
        }
      }
      if (eps.isEmpty()) {
        throw new ConfigException(path + ".load_assignment.endpoints: no endpoint");
      }
      if (type.equals("LOGICAL_DNS") && eps.size() != 1) {
        throw new ConfigException(
            path + ".load_assignment: a LOGICAL_DNS cluster has exactly one endpoint");
      }
      boolean h2 = c.http2ProtocolOptions() != null;
      if (c.typedExtensionProtocolOptions() != null) {
        for (Map.Entry<String, JsonNode> e : c.typedExtensionProtocolOptions().entrySet()) {
          String op = path + ".typed_extension_protocol_options." + e.getKey();
          if (!e.getKey().equals("envoy.extensions.upstreams.http.v3.HttpProtocolOptions")) {
            throw new ConfigException(op + ": unsupported extension");
          }
          ObjectNode o = typed(e.getValue(), op, HTTP_PROTOCOL_OPTIONS_TYPE);
          HttpProtocolOptions hpo = convert(o, HttpProtocolOptions.class, op);
          ExplicitHttpConfig x = hpo.explicitHttpConfig();
          if (x == null
              || (x.httpProtocolOptions() == null) == (x.http2ProtocolOptions() == null)) {
            throw new ConfigException(
                op
                    + ".explicit_http_config: exactly one of http_protocol_options and http2_protocol_options is required");
          }
          h2 = x.http2ProtocolOptions() != null;
        }
      }
      return new ClusterSpec(c.name(), type, eps, connect, lb, h2);
    }
  }

  private static boolean isIp(String host) {
    return host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || host.contains(":");
  }

  static String stripTypePrefix(String type) {
    int slash = type.lastIndexOf('/');
    return slash < 0 ? type : type.substring(slash + 1);
  }

  /**
   * Checks a typed_config's {@code @type} (unwrapping a TypedStruct) and returns its fields without
   * {@code @type}.
   */
  static ObjectNode typed(JsonNode node, String path, String expected) throws ConfigException {
    if (node == null || !node.isObject()) {
      throw new ConfigException(
          path + ": required, a mapping with \"@type\": type.googleapis.com/" + expected);
    }
    ObjectNode o = ((ObjectNode) node).deepCopy();
    JsonNode t = o.remove("@type");
    if (t == null || !t.isTextual()) {
      throw new ConfigException(path + ".@type: required (type.googleapis.com/" + expected + ")");
    }
    String type = stripTypePrefix(t.asText());
    if (TYPED_STRUCTS.contains(type)) {
      JsonNode url = o.remove("type_url");
      JsonNode value = o.remove("value");
      if (o.size() > 0) {
        throw new ConfigException(path + "." + o.fieldNames().next() + ": unknown field");
      }
      if (url == null || !url.isTextual()) {
        throw new ConfigException(path + ".type_url: required");
      }
      if (!stripTypePrefix(url.asText()).equals(expected)) {
        throw new ConfigException(
            path + ".type_url: expected type.googleapis.com/" + expected + ", not " + url.asText());
      }
      if (value == null) {
        return MAPPER.createObjectNode();
      }
      if (!value.isObject()) {
        throw new ConfigException(path + ".value: expected a mapping");
      }
      ObjectNode v = ((ObjectNode) value).deepCopy();
      v.remove("@type");
      return v;
    }
    if (!type.equals(expected)) {
      throw new ConfigException(
          path + ".@type: expected type.googleapis.com/" + expected + ", not " + t.asText());
    }
    return o;
  }

  static Duration duration(String s, String path) throws ConfigException {
    if (!s.matches("[0-9]+(\\.[0-9]{1,9})?s")) {
      throw new ConfigException(path + ": " + s + " is not a duration such as 0.25s or 15s");
    }
    String n = s.substring(0, s.length() - 1);
    int dot = n.indexOf('.');
    long seconds = Long.parseLong(dot < 0 ? n : n.substring(0, dot));
    long nanos = 0;
    if (dot >= 0) {
      String frac = (n.substring(dot + 1) + "000000000").substring(0, 9);
      nanos = Long.parseLong(frac);
    }
    return Duration.ofSeconds(seconds, nanos);
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}

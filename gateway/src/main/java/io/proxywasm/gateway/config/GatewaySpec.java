package io.proxywasm.gateway.config;

import io.proxywasm.host.PluginConfig;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What the gateway runs, validated: listeners with their routes and plugin, upstream clusters and
 * the admin listener. Built from flags or from Envoy YAML ({@link EnvoyBootstrap}).
 *
 * @param listeners the listeners, in order
 * @param clusters the upstream clusters by name, also the targets of plugins' HTTP callouts
 * @param admin the admin listener, or null for none
 * @param nodeId the node id ({@code node.id}), may be empty
 * @param nodeCluster the node cluster ({@code node.cluster}), may be empty
 * @param services the singleton service plugins ({@code bootstrap_extensions} with {@code
 *     envoy.bootstrap.wasm}), in order
 */
public record GatewaySpec(
    List<ListenerSpec> listeners,
    Map<String, ClusterSpec> clusters,
    AdminSpec admin,
    String nodeId,
    String nodeCluster,
    List<PluginSpec> services) {
  /**
   * Copies the parts.
   *
   * @param listeners the listeners
   * @param clusters the clusters
   * @param admin the admin listener or null
   * @param nodeId the node id
   * @param nodeCluster the node cluster
   * @param services the service plugins
   */
  public GatewaySpec {
    listeners = List.copyOf(listeners);
    clusters = Map.copyOf(clusters);
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(nodeCluster, "nodeCluster");
    services = List.copyOf(services);
  }

  /**
   * A configuration without service plugins.
   *
   * @param listeners the listeners
   * @param clusters the clusters
   * @param admin the admin listener or null
   * @param nodeId the node id
   * @param nodeCluster the node cluster
   */
  public GatewaySpec(
      List<ListenerSpec> listeners,
      Map<String, ClusterSpec> clusters,
      AdminSpec admin,
      String nodeId,
      String nodeCluster) {
    this(listeners, clusters, admin, nodeId, nodeCluster, List.of());
  }

  /**
   * A listener: an HTTP connection manager (routes, HTTP wasm filters) or, when {@code tcpCluster}
   * is set, a TCP proxy to that cluster behind network wasm filters.
   *
   * @param name the listener name
   * @param host the address to bind
   * @param port the port, 0 for an ephemeral one
   * @param statPrefix the connection manager's (or the TCP proxy's) stat prefix
   * @param virtualHosts the route table, empty for a TCP listener
   * @param plugins the wasm filters in their configured order, possibly none
   * @param useRemoteAddress whether the peer address is appended to x-forwarded-for
   * @param serverName the value of the {@code server} response header
   * @param tcpCluster the TCP proxy's cluster, or null for an HTTP listener
   * @param tls the downstream TLS settings, or null for plain text
   * @param accessLogs the access logs ({@code access_log} of the connection manager or the TCP
   *     proxy), possibly none
   */
  public record ListenerSpec(
      String name,
      String host,
      int port,
      String statPrefix,
      List<VirtualHostSpec> virtualHosts,
      List<PluginSpec> plugins,
      boolean useRemoteAddress,
      String serverName,
      String tcpCluster,
      TlsSpec tls,
      List<AccessLogSpec> accessLogs) {
    /**
     * Copies the parts.
     *
     * @param name the name
     * @param host the host
     * @param port the port
     * @param statPrefix the stat prefix
     * @param virtualHosts the virtual hosts
     * @param plugins the wasm filters
     * @param useRemoteAddress whether to append the peer to x-forwarded-for
     * @param serverName the server header
     * @param tcpCluster the TCP proxy's cluster or null
     * @param tls the TLS settings or null
     * @param accessLogs the access logs
     */
    public ListenerSpec {
      virtualHosts = List.copyOf(virtualHosts);
      plugins = List.copyOf(plugins);
      accessLogs = List.copyOf(accessLogs);
    }

    /**
     * A listener without access logs.
     *
     * @param name the name
     * @param host the host
     * @param port the port
     * @param statPrefix the stat prefix
     * @param virtualHosts the virtual hosts
     * @param plugins the wasm filters
     * @param useRemoteAddress whether to append the peer to x-forwarded-for
     * @param serverName the server header
     * @param tcpCluster the TCP proxy's cluster or null
     * @param tls the TLS settings or null
     */
    public ListenerSpec(
        String name,
        String host,
        int port,
        String statPrefix,
        List<VirtualHostSpec> virtualHosts,
        List<PluginSpec> plugins,
        boolean useRemoteAddress,
        String serverName,
        String tcpCluster,
        TlsSpec tls) {
      this(
          name,
          host,
          port,
          statPrefix,
          virtualHosts,
          plugins,
          useRemoteAddress,
          serverName,
          tcpCluster,
          tls,
          List.of());
    }

    /**
     * An HTTP listener with at most one wasm filter, in plain text.
     *
     * @param name the name
     * @param host the host
     * @param port the port
     * @param statPrefix the stat prefix
     * @param virtualHosts the virtual hosts
     * @param plugin the wasm filter or null
     * @param useRemoteAddress whether to append the peer to x-forwarded-for
     * @param serverName the server header
     */
    public ListenerSpec(
        String name,
        String host,
        int port,
        String statPrefix,
        List<VirtualHostSpec> virtualHosts,
        PluginSpec plugin,
        boolean useRemoteAddress,
        String serverName) {
      this(
          name,
          host,
          port,
          statPrefix,
          virtualHosts,
          plugin == null ? List.of() : List.of(plugin),
          useRemoteAddress,
          serverName,
          null,
          null);
    }

    /**
     * Returns the first wasm filter.
     *
     * @return the first plugin, or null when there is none
     */
    public PluginSpec plugin() {
      return plugins.isEmpty() ? null : plugins.get(0);
    }

    /**
     * Returns whether this listener proxies TCP rather than HTTP.
     *
     * @return true for a TCP proxy
     */
    public boolean isTcp() {
      return tcpCluster != null;
    }
  }

  /**
   * An access log: where its lines go and their format.
   *
   * @param path the file, {@code /dev/stdout} or {@code /dev/stderr}
   * @param format the format
   * @param yamlPath the place of the logger in the YAML, for errors
   */
  public record AccessLogSpec(String path, AccessLogFormat format, String yamlPath) {}

  /**
   * Downstream TLS: the listener's certificate and the protocols it offers by ALPN.
   *
   * @param certificateChain the PEM certificate chain file
   * @param privateKey the PEM private key file
   * @param alpnProtocols the ALPN protocols in order of preference ({@code h2}, {@code http/1.1})
   */
  public record TlsSpec(Path certificateChain, Path privateKey, List<String> alpnProtocols) {
    /**
     * Copies the parts.
     *
     * @param certificateChain the certificate chain
     * @param privateKey the private key
     * @param alpnProtocols the ALPN protocols
     */
    public TlsSpec {
      Objects.requireNonNull(certificateChain, "certificateChain");
      Objects.requireNonNull(privateKey, "privateKey");
      alpnProtocols = List.copyOf(alpnProtocols);
    }
  }

  /**
   * A virtual host.
   *
   * @param name the name
   * @param domains the host names it serves: exact, {@code *}, {@code *.suffix} or {@code prefix*}
   * @param routes the routes, first match wins
   */
  public record VirtualHostSpec(String name, List<String> domains, List<RouteSpec> routes) {
    /**
     * Copies the parts.
     *
     * @param name the name
     * @param domains the domains
     * @param routes the routes
     */
    public VirtualHostSpec {
      domains = List.copyOf(domains);
      routes = List.copyOf(routes);
    }
  }

  /**
   * A route: a match and either a cluster or a direct response.
   *
   * @param name the route name, may be empty
   * @param exactPath true when {@code match} is a whole path, false for a prefix
   * @param match the path or prefix
   * @param cluster the cluster, or null for a direct response
   * @param prefixRewrite what replaces the matched prefix, or null
   * @param timeout the upstream timeout, zero for none
   * @param directStatus the direct response status, or 0
   * @param directBody the direct response body
   */
  public record RouteSpec(
      String name,
      boolean exactPath,
      String match,
      String cluster,
      String prefixRewrite,
      Duration timeout,
      int directStatus,
      String directBody) {
    /**
     * Checks a path against the match.
     *
     * @param path the path without the query
     * @return whether the route applies
     */
    public boolean matches(String path) {
      return exactPath ? path.equals(match) : path.startsWith(match);
    }
  }

  /**
   * An upstream cluster.
   *
   * @param name the name
   * @param type STATIC, STRICT_DNS or LOGICAL_DNS
   * @param endpoints host and port of each endpoint
   * @param connectTimeout the connect timeout
   * @param lbPolicy ROUND_ROBIN, LEAST_REQUEST or RANDOM
   * @param http2 whether the upstream speaks HTTP/2 (explicitly configured: prior knowledge on h2c
   *     and over TLS alike)
   * @param tls the upstream TLS settings, or null for plain text
   * @param autoConfig whether the protocol is the one ALPN picks ({@code auto_config}: HTTP/2 when
   *     the server selects {@code h2}, else HTTP/1.1); needs TLS
   * @param autoSni whether the SNI name is the request's host ({@code auto_sni}) rather than the
   *     TLS context's {@code sni}
   */
  public record ClusterSpec(
      String name,
      String type,
      List<Endpoint> endpoints,
      Duration connectTimeout,
      String lbPolicy,
      boolean http2,
      UpstreamTlsSpec tls,
      boolean autoConfig,
      boolean autoSni) {
    /**
     * Copies the parts.
     *
     * @param name the name
     * @param type the type
     * @param endpoints the endpoints
     * @param connectTimeout the connect timeout
     * @param lbPolicy the policy
     * @param http2 whether HTTP/2 is used
     * @param tls the TLS settings or null
     * @param autoConfig whether ALPN picks the protocol
     * @param autoSni whether the SNI name is the request's host
     */
    public ClusterSpec {
      endpoints = List.copyOf(endpoints);
    }

    /**
     * A cluster with the protocol and SNI name as configured.
     *
     * @param name the name
     * @param type the type
     * @param endpoints the endpoints
     * @param connectTimeout the connect timeout
     * @param lbPolicy the policy
     * @param http2 whether HTTP/2 is used
     * @param tls the TLS settings or null
     */
    public ClusterSpec(
        String name,
        String type,
        List<Endpoint> endpoints,
        Duration connectTimeout,
        String lbPolicy,
        boolean http2,
        UpstreamTlsSpec tls) {
      this(name, type, endpoints, connectTimeout, lbPolicy, http2, tls, false, false);
    }

    /**
     * Whether the cluster may speak HTTP/2: explicitly, or when ALPN picks it.
     *
     * @return true for an HTTP/2 or auto_config cluster
     */
    public boolean mayUseHttp2() {
      return http2 || autoConfig;
    }

    /**
     * A cluster in plain text.
     *
     * @param name the name
     * @param type the type
     * @param endpoints the endpoints
     * @param connectTimeout the connect timeout
     * @param lbPolicy the policy
     * @param http2 whether HTTP/2 is used
     */
    public ClusterSpec(
        String name,
        String type,
        List<Endpoint> endpoints,
        Duration connectTimeout,
        String lbPolicy,
        boolean http2) {
      this(name, type, endpoints, connectTimeout, lbPolicy, http2, null);
    }
  }

  /**
   * Upstream TLS ({@code UpstreamTlsContext}), as Envoy applies it: without trusted CAs the peer is
   * not verified at all; with them its chain is, and its name only when SAN matchers are given.
   *
   * @param sni the server name sent in the handshake, or null for none configured
   * @param trustedCa the certificates the peer's chain must lead to, or null to verify nothing
   * @param sanMatchers the subject alternative names of which one must match, empty for no name
   *     check
   * @param certificateChain the client certificate chain in PEM, or null for none
   * @param privateKey the client key in PEM, or null for none
   * @param alpnProtocols the ALPN protocols offered ({@code h2}, {@code http/1.1}), possibly none
   */
  public record UpstreamTlsSpec(
      String sni,
      List<X509Certificate> trustedCa,
      List<SanMatcher> sanMatchers,
      String certificateChain,
      String privateKey,
      List<String> alpnProtocols) {
    /**
     * Copies the parts.
     *
     * @param sni the server name or null
     * @param trustedCa the trusted certificates or null
     * @param sanMatchers the SAN matchers
     * @param certificateChain the client chain or null
     * @param privateKey the client key or null
     * @param alpnProtocols the ALPN protocols
     */
    public UpstreamTlsSpec {
      trustedCa = trustedCa == null ? null : List.copyOf(trustedCa);
      sanMatchers = List.copyOf(sanMatchers);
      alpnProtocols = List.copyOf(alpnProtocols);
    }
  }

  /**
   * A matcher of one subject alternative name of the peer certificate.
   *
   * @param sanType DNS, EMAIL, URI or IP_ADDRESS, or null for any of them
   * @param kind exact, prefix, suffix or contains
   * @param value the text to match
   * @param ignoreCase whether case is ignored
   */
  public record SanMatcher(String sanType, String kind, String value, boolean ignoreCase) {
    /**
     * Checks one name of the certificate; an exact DNS matcher also accepts a wildcard name ({@code
     * *.example.com}) covering it, as Envoy does.
     *
     * @param type the name's type: DNS, EMAIL, URI or IP_ADDRESS
     * @param name the name
     * @return whether the name matches
     */
    public boolean matches(String type, String name) {
      if (sanType != null && !sanType.equals(type)) {
        return false;
      }
      String n = ignoreCase ? name.toLowerCase(Locale.ROOT) : name;
      String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
      switch (kind) {
        case "prefix":
          return n.startsWith(v);
        case "suffix":
          return n.endsWith(v);
        case "contains":
          return n.contains(v);
        default:
          if (n.equals(v)) {
            return true;
          }
          if ("DNS".equals(type) && n.startsWith("*.")) {
            int dot = v.indexOf('.');
            return dot > 0 && v.substring(dot).equalsIgnoreCase(n.substring(1));
          }
          return false;
      }
    }
  }

  /**
   * A host and port.
   *
   * @param host the host name or address
   * @param port the port
   */
  public record Endpoint(String host, int port) {}

  /**
   * The admin listener.
   *
   * @param host the address to bind
   * @param port the port, 0 for an ephemeral one
   * @param accessLogPath where admin requests are logged, or empty
   */
  public record AdminSpec(String host, int port, String accessLogPath) {}

  /**
   * A wasm filter's plugin and where its code came from, so that a reload can read it again.
   *
   * @param config the plugin configuration
   * @param codeFile the file the code was read from, or null for inline code or a Java plugin
   * @param configFile the file the plugin configuration was read from, or null
   * @param remote where the code is downloaded from, or null when {@code config} holds it
   */
  public record PluginSpec(
      PluginConfig config, Path codeFile, Path configFile, RemoteCodeSpec remote) {

    /**
     * A plugin whose code is in its configuration already (a file, inline, a Java plugin).
     *
     * @param config the plugin configuration
     * @param codeFile the file the code was read from, or null
     * @param configFile the file the plugin configuration was read from, or null
     */
    public PluginSpec(PluginConfig config, Path codeFile, Path configFile) {
      this(config, codeFile, configFile, null);
    }
  }

  /**
   * Where a plugin's code is downloaded from ({@code vm_config.code.remote}, Envoy's {@code
   * RemoteDataSource}): the gateway fetches it when the plugin loads, checks its SHA-256 and caches
   * it; the plugin's configuration then carries no code yet.
   *
   * @param uri the module's {@code http(s)} URL
   * @param cluster the cluster {@code http_uri} names (it must be configured)
   * @param sha256 the module's SHA-256, 64 hex digits
   * @param timeout how long one download may take
   * @param retries how many times a failed download is tried again
   * @param backoffBase the wait before the first retry
   * @param backoffMax the longest wait between retries
   */
  public record RemoteCodeSpec(
      java.net.URI uri,
      String cluster,
      String sha256,
      Duration timeout,
      int retries,
      Duration backoffBase,
      Duration backoffMax) {}
}

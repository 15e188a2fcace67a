package io.proxywasm.gateway.config;

import io.proxywasm.host.PluginConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 */
public record GatewaySpec(
    List<ListenerSpec> listeners,
    Map<String, ClusterSpec> clusters,
    AdminSpec admin,
    String nodeId,
    String nodeCluster) {
  /**
   * Copies the parts.
   *
   * @param listeners the listeners
   * @param clusters the clusters
   * @param admin the admin listener or null
   * @param nodeId the node id
   * @param nodeCluster the node cluster
   */
  public GatewaySpec {
    listeners = List.copyOf(listeners);
    clusters = Map.copyOf(clusters);
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(nodeCluster, "nodeCluster");
  }

  /**
   * A listener and its HTTP connection manager.
   *
   * @param name the listener name
   * @param host the address to bind
   * @param port the port, 0 for an ephemeral one
   * @param statPrefix the connection manager's stat prefix
   * @param virtualHosts the route table
   * @param plugin the wasm filter, or null for none
   * @param useRemoteAddress whether the peer address is appended to x-forwarded-for
   * @param serverName the value of the {@code server} response header
   */
  public record ListenerSpec(
      String name,
      String host,
      int port,
      String statPrefix,
      List<VirtualHostSpec> virtualHosts,
      PluginSpec plugin,
      boolean useRemoteAddress,
      String serverName) {
    /**
     * Copies the parts.
     *
     * @param name the name
     * @param host the host
     * @param port the port
     * @param statPrefix the stat prefix
     * @param virtualHosts the virtual hosts
     * @param plugin the plugin or null
     * @param useRemoteAddress whether to append the peer to x-forwarded-for
     * @param serverName the server header
     */
    public ListenerSpec {
      virtualHosts = List.copyOf(virtualHosts);
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
   * @param http2 whether the upstream speaks HTTP/2 (prior knowledge, h2c)
   */
  public record ClusterSpec(
      String name,
      String type,
      List<Endpoint> endpoints,
      Duration connectTimeout,
      String lbPolicy,
      boolean http2) {
    /**
     * Copies the parts.
     *
     * @param name the name
     * @param type the type
     * @param endpoints the endpoints
     * @param connectTimeout the connect timeout
     * @param lbPolicy the policy
     * @param http2 whether HTTP/2 is used
     */
    public ClusterSpec {
      endpoints = List.copyOf(endpoints);
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
   */
  public record PluginSpec(PluginConfig config, Path codeFile, Path configFile) {}
}

package io.proxywasm.gateway.config;

import static io.proxywasm.gateway.config.YamlNodes.convert;
import static io.proxywasm.gateway.config.YamlNodes.duration;
import static io.proxywasm.gateway.config.YamlNodes.oneOf;
import static io.proxywasm.gateway.config.YamlNodes.typed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proxywasm.gateway.config.GatewaySpec.ClusterSpec;
import io.proxywasm.gateway.config.GatewaySpec.Endpoint;
import io.proxywasm.gateway.config.GatewaySpec.UpstreamTlsSpec;
import io.proxywasm.gateway.config.SocketAddresses.Address;
import io.proxywasm.gateway.config.TlsReader.TransportSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The upstream clusters ({@code static_resources.clusters}): discovery type, load balancing,
 * endpoints, the upstream HTTP protocol and upstream TLS.
 */
final class ClusterReader {
  static final String HTTP_PROTOCOL_OPTIONS_TYPE =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private ClusterReader() {}

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
   * @param transportSocket upstream TLS, or null for plain text
   */
  record Cluster(
      String name,
      String type,
      String connectTimeout,
      String lbPolicy,
      LoadAssignment loadAssignment,
      JsonNode http2ProtocolOptions,
      Map<String, JsonNode> typedExtensionProtocolOptions,
      String dnsLookupFamily,
      TransportSocket transportSocket) {}

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
   * @param autoConfig the protocol ALPN picks
   * @param upstreamHttpProtocolOptions the SNI name from the request's host
   */
  record HttpProtocolOptions(
      ExplicitHttpConfig explicitHttpConfig,
      AutoHttpConfig autoConfig,
      UpstreamHttpProtocolOptions upstreamHttpProtocolOptions) {}

  /**
   * The protocol ALPN picks: HTTP/2 when the server selects h2, else HTTP/1.1.
   *
   * @param httpProtocolOptions HTTP/1.1's options (accepted, empty)
   * @param http2ProtocolOptions HTTP/2's options (accepted, empty)
   */
  record AutoHttpConfig(JsonNode httpProtocolOptions, JsonNode http2ProtocolOptions) {}

  /**
   * Options of the upstream connection's TLS that come from the request.
   *
   * @param autoSni whether the SNI name is the request's host
   */
  record UpstreamHttpProtocolOptions(Boolean autoSni) {}

  /** The protocol choice of a cluster's HTTP protocol options. */
  private record Protocol(boolean http2, boolean autoConfig, boolean autoSni) {}

  /**
   * An explicit protocol.
   *
   * @param httpProtocolOptions HTTP/1.1
   * @param http2ProtocolOptions HTTP/2
   */
  record ExplicitHttpConfig(JsonNode httpProtocolOptions, JsonNode http2ProtocolOptions) {}

  /** Reads the clusters, by name in their order; a name defined twice is an error. */
  static Map<String, ClusterSpec> clusters(List<Cluster> cs, String path, DataSources files)
      throws ConfigException {
    Map<String, ClusterSpec> clusters = new LinkedHashMap<>();
    for (int i = 0; i < cs.size(); i++) {
      ClusterSpec c = cluster(cs.get(i), path + "[" + i + "]", files);
      if (clusters.put(c.name(), c) != null) {
        throw new ConfigException(
            path + "[" + i + "].name: cluster " + c.name() + " is defined twice");
      }
    }
    return clusters;
  }

  /** A cluster a route or a TCP proxy names; one that is not defined is an error. */
  static ClusterSpec known(String name, Map<String, ClusterSpec> clusters, String path)
      throws ConfigException {
    ClusterSpec c = clusters.get(name);
    if (c == null) {
      throw new ConfigException(
          path
              + ": unknown cluster "
              + name
              + " (defined: "
              + String.join(", ", clusters.keySet())
              + ")");
    }
    return c;
  }

  static ClusterSpec cluster(Cluster c, String path, DataSources files) throws ConfigException {
    if (c.name() == null || c.name().isEmpty()) {
      throw new ConfigException(path + ".name: required");
    }
    String type = oneOf(c.type(), List.of("STATIC", "STRICT_DNS", "LOGICAL_DNS"), path + ".type");
    String lb =
        oneOf(c.lbPolicy(), List.of("ROUND_ROBIN", "LEAST_REQUEST", "RANDOM"), path + ".lb_policy");
    Duration connect =
        c.connectTimeout() == null
            ? Duration.ofSeconds(5)
            : duration(c.connectTimeout(), path + ".connect_timeout");
    List<Endpoint> eps = endpoints(c, type, path);
    Protocol p = protocol(c, path);
    UpstreamTlsSpec tls =
        TlsReader.upstream(c.transportSocket(), path + ".transport_socket", files, p.http2());
    if (p.autoConfig() && tls == null) {
      // ALPN needs TLS: Envoy refuses auto_config on a plain text cluster
      throw new ConfigException(
          path
              + ".typed_extension_protocol_options."
              + HTTP_PROTOCOL_OPTIONS_TYPE
              + ".auto_config: needs a TLS transport_socket, since ALPN picks the protocol");
    }
    return new ClusterSpec(
        c.name(), type, eps, connect, lb, p.http2(), tls, p.autoConfig(), p.autoSni());
  }

  private static List<Endpoint> endpoints(Cluster c, String type, String path)
      throws ConfigException {
    if (c.loadAssignment() == null || c.loadAssignment().endpoints() == null) {
      throw new ConfigException(path + ".load_assignment.endpoints: required");
    }
    List<Endpoint> eps = new ArrayList<>();
    List<LocalityLbEndpoints> locs = c.loadAssignment().endpoints();
    for (int i = 0; i < locs.size(); i++) {
      List<LbEndpoint> lbs =
          locs.get(i).lbEndpoints() == null ? List.of() : locs.get(i).lbEndpoints();
      for (int j = 0; j < lbs.size(); j++) {
        String ep = path + ".load_assignment.endpoints[" + i + "].lb_endpoints[" + j + "].endpoint";
        if (lbs.get(j).endpoint() == null) {
          throw new ConfigException(ep + ": required");
        }
        Endpoint e = SocketAddresses.endpoint(lbs.get(j).endpoint().address(), ep + ".address");
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
    return eps;
  }

  /**
   * The upstream protocol: HTTP/2 with http2_protocol_options or the explicit HTTP config's
   * http2_protocol_options, ALPN's pick with auto_config, else HTTP/1.1; and whether auto_sni is
   * on.
   */
  private static Protocol protocol(Cluster c, String path) throws ConfigException {
    boolean h2 = c.http2ProtocolOptions() != null;
    boolean auto = false;
    boolean autoSni = false;
    if (c.typedExtensionProtocolOptions() != null) {
      for (Map.Entry<String, JsonNode> e : c.typedExtensionProtocolOptions().entrySet()) {
        String op = path + ".typed_extension_protocol_options." + e.getKey();
        if (!e.getKey().equals(HTTP_PROTOCOL_OPTIONS_TYPE)) {
          throw new ConfigException(op + ": unsupported extension");
        }
        ObjectNode o = typed(e.getValue(), op, HTTP_PROTOCOL_OPTIONS_TYPE);
        HttpProtocolOptions hpo = convert(o, HttpProtocolOptions.class, op);
        ExplicitHttpConfig x = hpo.explicitHttpConfig();
        if ((x == null) == (hpo.autoConfig() == null)) {
          throw new ConfigException(
              op + ": exactly one of explicit_http_config and auto_config is required");
        }
        if (x != null) {
          if ((x.httpProtocolOptions() == null) == (x.http2ProtocolOptions() == null)) {
            throw new ConfigException(
                op
                    + ".explicit_http_config: exactly one of http_protocol_options and"
                    + " http2_protocol_options is required");
          }
          h2 = x.http2ProtocolOptions() != null;
        } else {
          h2 = false;
          auto = true;
        }
        UpstreamHttpProtocolOptions u = hpo.upstreamHttpProtocolOptions();
        autoSni = u != null && Boolean.TRUE.equals(u.autoSni());
      }
    }
    return new Protocol(h2, auto, autoSni);
  }

  private static boolean isIp(String host) {
    return host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || host.contains(":");
  }
}

package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.gateway.config.ConfigException;
import io.proxywasm.gateway.config.EnvoyBootstrap;
import io.proxywasm.gateway.config.GatewaySpec;
import io.proxywasm.gateway.config.GatewaySpec.ClusterSpec;
import io.proxywasm.gateway.config.GatewaySpec.Endpoint;
import io.proxywasm.gateway.config.GatewaySpec.ListenerSpec;
import io.proxywasm.gateway.config.GatewaySpec.PluginSpec;
import io.proxywasm.gateway.config.GatewaySpec.RouteSpec;
import io.proxywasm.gateway.config.GatewaySpec.VirtualHostSpec;
import io.proxywasm.host.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;

/**
 * Gateway configurations for tests: a {@link GatewaySpec} of one route to one upstream, and the
 * pieces of Envoy bootstraps (listeners, filters, clusters) the tests put together, read as {@code
 * proxy-wasm serve --config} reads them.
 *
 * <p>Every piece of YAML here is written at no indentation (a list item starts its first line); the
 * piece that holds it indents it. Pieces passed in may be indented as a whole, as text blocks often
 * are.
 */
final class Specs {
  /** Where relative file names in a bootstrap start: the repository. */
  static final Path ROOT = Http.repo("");

  private Specs() {}

  static GatewaySpec oneRoute(PluginConfig plugin, int upstreamPort, Duration timeout) {
    ClusterSpec c =
        new ClusterSpec(
            "up",
            "STATIC",
            List.of(new Endpoint("127.0.0.1", upstreamPort)),
            Duration.ofSeconds(2),
            "ROUND_ROBIN",
            false);
    RouteSpec r = new RouteSpec("all", false, "/", "up", null, timeout, 0, "");
    ListenerSpec l =
        new ListenerSpec(
            "test",
            "127.0.0.1",
            0,
            "test",
            List.of(new VirtualHostSpec("all", List.of("*"), List.of(r))),
            plugin == null ? null : new PluginSpec(plugin, null, null),
            true,
            "envoy");
    return new GatewaySpec(List.of(l), Map.of("up", c), null, "", "");
  }

  /** An Envoy bootstrap as the gateway reads it, its file names relative to the repository. */
  static GatewaySpec parse(String yaml) throws ConfigException {
    return EnvoyBootstrap.parse(yaml, ROOT);
  }

  /** The message with which the gateway refuses an Envoy bootstrap; fails if it is accepted. */
  static String refusal(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
  }

  /**
   * Checks a table of bootstraps the gateway refuses, every row even when one fails: pairs of a
   * bootstrap and how the message it is refused with starts.
   */
  static void assertRefusals(String... bootstrapsAndStarts) {
    assertEquals(0, bootstrapsAndStarts.length % 2, "pairs of a bootstrap and a message");
    List<Executable> rows = new ArrayList<>();
    for (int i = 0; i < bootstrapsAndStarts.length; i += 2) {
      String yaml = bootstrapsAndStarts[i];
      String start = bootstrapsAndStarts[i + 1];
      rows.add(
          () -> {
            String message = refusal(yaml);
            assertTrue(message.startsWith(start), message);
          });
    }
    assertAll(rows);
  }

  /**
   * A committed example bootstrap ({@code examples/<name>}) with some of its text replaced: pairs
   * of what and by what, such as a port to make free.
   */
  static String example(String name, String... replacements) throws Exception {
    String text = Files.readString(Http.repo("examples/" + name));
    for (int i = 0; i < replacements.length; i += 2) {
      text = text.replace(replacements[i], replacements[i + 1]);
    }
    return text;
  }

  /**
   * The bootstrap most tests start from: listener {@code main} (stat prefix {@code ingress_http})
   * whose one route sends every path to cluster {@code up} at 127.0.0.1:8080.
   *
   * @param httpFilters the HTTP filters before the router
   * @param hcmFields more fields of the HTTP connection manager
   * @param clusters more clusters, after {@code up}
   */
  static String bootstrap(String httpFilters, String hcmFields, String... clusters) {
    return bootstrap(8080, httpFilters, hcmFields, clusters);
  }

  /** {@link #bootstrap(String, String, String...)} with cluster {@code up} at this port. */
  static String bootstrap(int upPort, String httpFilters, String hcmFields, String... clusters) {
    return staticResources(
        httpListener("main", "ingress_http", "", hcmFields, route("/", "up"), httpFilters),
        cluster("up", upPort) + String.join("", clusters));
  }

  /** {@code static_resources} with these listeners and clusters (none when empty). */
  static String staticResources(String listeners, String clusters) {
    return "static_resources:\n"
        + (listeners.isBlank() ? "" : "  listeners:\n" + block(listeners, 4))
        + (clusters.isBlank() ? "" : "  clusters:\n" + block(clusters, 4));
  }

  /**
   * A listener on a free loopback port whose one filter chain is an HTTP connection manager with
   * one virtual host for every domain.
   *
   * @param chainFields more fields of the filter chain, such as its transport socket
   * @param hcmFields more fields of the connection manager
   * @param routes the virtual host's routes, such as {@link #route}s
   * @param httpFilters the HTTP filters before the router
   */
  static String httpListener(
      String name,
      String statPrefix,
      String chainFields,
      String hcmFields,
      String routes,
      String httpFilters) {
    String hcm =
        """
        - name: envoy.filters.network.http_connection_manager
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
            stat_prefix: %s
        %s    route_config:
              virtual_hosts:
                - name: all
                  domains: ["*"]
                  routes:
        %s    http_filters:
        %s      - name: envoy.filters.http.router
        """
            .formatted(statPrefix, block(hcmFields, 4), block(routes, 12), block(httpFilters, 6));
    return listener(name, hcm, chainFields);
  }

  /** A route of every path under a prefix to a cluster. */
  static String route(String prefix, String cluster) {
    return """
        - match: { prefix: "%s" }
          route: { cluster: %s }
        """
        .formatted(prefix, cluster);
  }

  /**
   * A listener on a free loopback port whose one filter chain ends in a TCP proxy.
   *
   * @param networkFilters the network filters before the proxy
   * @param proxyFields more fields of the proxy, such as its access logs
   */
  static String tcpListener(
      String name, String networkFilters, String statPrefix, String cluster, String proxyFields) {
    String proxy =
        """
        - name: envoy.filters.network.tcp_proxy
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
            stat_prefix: %s
            cluster: %s
        %s"""
            .formatted(statPrefix, cluster, block(proxyFields, 4));
    return listener(name, block(networkFilters, 0) + proxy, "");
  }

  /**
   * A listener on a free loopback port of one filter chain: its network filters and more fields.
   */
  private static String listener(String name, String networkFilters, String chainFields) {
    return """
        - name: %s
          address:
            socket_address: { address: 127.0.0.1, port_value: 0 }
          filter_chains:
            - filters:
        %s%s"""
        .formatted(name, block(networkFilters, 8), block(chainFields, 6));
  }

  /** An envoy.filters.http.wasm filter: its plugin's configuration is the fields given. */
  static String wasmFilter(String config) {
    return wasm("http", config);
  }

  /** An envoy.filters.network.wasm filter: its plugin's configuration is the fields given. */
  static String networkWasmFilter(String config) {
    return wasm("network", config);
  }

  private static String wasm(String kind, String config) {
    return """
        - name: envoy.filters.%s.wasm
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.%s.wasm.v3.Wasm
            config:
        %s"""
        .formatted(kind, kind, block(config, 6));
  }

  /** An HTTP filter of a committed plugin ({@code plugins/wasm/<file>}) on the default runtime. */
  static String wasmFileFilter(String file) {
    return wasmFilter("vm_config:\n  code: { local: { filename: plugins/wasm/" + file + " } }\n");
  }

  /**
   * An HTTP filter of a Java plugin on the null runtime: the plugin the gateway's builder offers
   * under this name.
   */
  static String javaFilter(String name) {
    return wasmFilter(javaVm(name));
  }

  /** The vm_config of a Java plugin on the null runtime, the one offered under this name. */
  static String javaVm(String name) {
    return "vm_config:\n"
        + "  runtime: envoy.wasm.runtime.null\n"
        + "  code: { local: { inline_string: "
        + name
        + " } }\n";
  }

  /** A cluster of one endpoint at 127.0.0.1, with a connect timeout of one second. */
  static String cluster(String name, int port) {
    return cluster(name, "connect_timeout: 1s", "127.0.0.1", port);
  }

  /** {@link #cluster(String, int)} over HTTP/2 (http2_protocol_options). */
  static String http2Cluster(String name, int port) {
    return cluster(name, "connect_timeout: 1s\nhttp2_protocol_options: {}", "127.0.0.1", port);
  }

  /** A cluster of one endpoint; {@code fields} are the cluster's other fields. */
  static String cluster(String name, String fields, String host, int port) {
    return "- name: %s\n%s".formatted(name, block(fields, 2))
        + """
          load_assignment:
            cluster_name: %s
            endpoints:
              - lb_endpoints:
                  - endpoint:
                      address:
                        socket_address: { address: %s, port_value: %d }
        """
            .formatted(name, host, port);
  }

  /** A cluster's TLS transport socket: an UpstreamTlsContext of these fields. */
  static String upstreamTls(String context) {
    return tls("UpstreamTlsContext", context);
  }

  /**
   * A filter chain's TLS transport socket with the certificate {@link Certificates#create(Path)}
   * wrote in a directory, offering h2 and http/1.1 by ALPN.
   */
  static String downstreamTls(Path certDir) {
    return tls(
        "DownstreamTlsContext",
        """
        common_tls_context:
          alpn_protocols: ["h2", "http/1.1"]
          tls_certificates:
            - certificate_chain: { filename: %s }
              private_key: { filename: %s }
        """
            .formatted(certDir.resolve("cert.pem"), certDir.resolve("key.pem")));
  }

  private static String tls(String contextType, String context) {
    return """
        transport_socket:
          name: envoy.transport_sockets.tls
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.%s
        %s"""
        .formatted(contextType, block(context, 4));
  }

  /**
   * A piece of YAML moved to an indentation: nothing if blank, else lines that end in a newline.
   */
  private static String block(String yaml, int indent) {
    return yaml.isBlank() ? "" : yaml.stripTrailing().stripIndent().indent(indent);
  }
}

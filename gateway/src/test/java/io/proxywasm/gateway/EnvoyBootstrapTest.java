package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.gateway.config.GatewaySpec;
import io.proxywasm.gateway.config.GatewaySpec.ClusterSpec;
import io.proxywasm.gateway.config.GatewaySpec.ListenerSpec;
import io.proxywasm.gateway.config.GatewaySpec.RouteSpec;
import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.PluginConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnvoyBootstrapTest {
  @Test
  void readsTheExample() throws Exception {
    GatewaySpec spec = Specs.parse(Specs.example("envoy-http-headers.yaml"));
    assertEquals(1, spec.listeners().size());
    ListenerSpec l = spec.listeners().get(0);
    assertEquals("main", l.name());
    assertEquals("127.0.0.1", l.host());
    assertEquals(10000, l.port());
    assertEquals("ingress_http", l.statPrefix());
    PluginConfig p = l.plugin().config();
    assertEquals("http_headers", p.name());
    assertEquals("http_headers", p.rootId());
    assertEquals("http_headers", p.vmId());
    assertEquals("", p.runtime(), "v8 runs on the default wasm runtime");
    assertArrayEquals(Files.readAllBytes(Http.plugin("c-http-headers.wasm")), p.code());
    assertEquals("{}\n", new String(p.pluginConfiguration(), StandardCharsets.UTF_8));
    assertEquals(FailPolicy.FAIL_CLOSED, p.failPolicy());
    RouteSpec direct = l.virtualHosts().get(0).routes().get(0);
    assertTrue(direct.exactPath());
    assertEquals(200, direct.directStatus());
    assertEquals("static answer\n", direct.directBody());
    RouteSpec proxied = l.virtualHosts().get(0).routes().get(1);
    assertEquals("web_service", proxied.cluster());
    assertEquals(Duration.ofSeconds(15), proxied.timeout());
    ClusterSpec c = spec.clusters().get("web_service");
    assertEquals(Duration.ofMillis(250), c.connectTimeout());
    assertEquals("127.0.0.1", c.endpoints().get(0).host());
    assertEquals(8080, c.endpoints().get(0).port());
    assertEquals(9901, spec.admin().port());
  }

  private static final String PLUGIN_FIELDS =
      """
                                name: wrapped
                                root_id: r
                                fail_open: true
                                configuration:
                                  "@type": type.googleapis.com/google.protobuf.StringValue
                                  value: "cfg"
                                vm_config:
                                  vm_id: v
                                  runtime: envoy.wasm.runtime.wasmtime
                                  environment_variables:
                                    key_values: { A: "1" }
                                  configuration:
                                    "@type": type.googleapis.com/google.protobuf.BytesValue
                                    value: dm0=
                                  code: { local: { filename: plugins/wasm/c-http-headers.wasm } }
                                capability_restriction_config:
                                  allowed_capabilities:
                                    proxy_log: {}
                                    proxy_on_request_headers: {}
      """;

  private static void checkWrapped(GatewaySpec spec) {
    PluginConfig p = spec.listeners().get(0).plugin().config();
    assertEquals("wrapped", p.name());
    assertEquals("r", p.rootId());
    assertEquals("v", p.vmId());
    assertEquals(FailPolicy.FAIL_OPEN, p.failPolicy());
    assertEquals("cfg", new String(p.pluginConfiguration(), StandardCharsets.UTF_8));
    assertEquals("vm", new String(p.vmConfiguration(), StandardCharsets.UTF_8));
    assertEquals("1", p.environment().get("A"));
    assertEquals(Set.of("proxy_log", "proxy_on_request_headers"), p.allowedCapabilities());
  }

  @Test
  void readsTheWasmFilterInEveryShape() throws Exception {
    String direct =
        "              - name: envoy.filters.http.wasm\n"
            + "                typed_config:\n"
            + "                  \"@type\": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm\n"
            + "                  config:\n"
            + PLUGIN_FIELDS
                .indent(2)
                .stripTrailing()
                .lines()
                .map(s -> s.substring(8))
                .reduce("", (a, b) -> a + b + "\n");
    checkWrapped(Specs.parse(Specs.bootstrap(direct, "")));

    for (String struct : new String[] {"udpa.type.v1.TypedStruct", "xds.type.v3.TypedStruct"}) {
      String typed =
          "              - name: envoy.filters.http.wasm\n"
              + "                typed_config:\n"
              + "                  \"@type\": type.googleapis.com/"
              + struct
              + "\n"
              + "                  type_url: type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm\n"
              + "                  value:\n"
              + "                    config:\n"
              + PLUGIN_FIELDS.lines().map(s -> s.substring(4)).reduce("", (a, b) -> a + b + "\n");
      checkWrapped(Specs.parse(Specs.bootstrap(typed, "")));
    }

    String unwrapped =
        "              - name: envoy.filters.http.wasm\n"
            + "                typed_config:\n"
            + "                  \"@type\": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm\n"
            + PLUGIN_FIELDS.lines().map(s -> s.substring(8)).reduce("", (a, b) -> a + b + "\n");
    checkWrapped(Specs.parse(Specs.bootstrap(unwrapped, "")));
  }

  @Test
  void theLegacyConnectionManagerNameAndNoPluginAreAccepted() throws Exception {
    GatewaySpec spec =
        Specs.parse(
            Specs.bootstrap("", "")
                .replace(
                    "envoy.filters.network.http_connection_manager",
                    "envoy.http_connection_manager"));
    assertNull(spec.listeners().get(0).plugin());
  }

  @Test
  void theNullRuntimeRunsAJavaPlugin() throws Exception {
    String f =
        """
                      - name: envoy.filters.http.wasm
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
                          config:
                            vm_config:
                              runtime: envoy.wasm.runtime.null
                              code: { local: { inline_string: headers } }
        """;
    PluginConfig p = Specs.parse(Specs.bootstrap(f, "")).listeners().get(0).plugin().config();
    assertEquals("null", p.runtime());
    assertEquals("java:headers", new String(p.code(), StandardCharsets.UTF_8));
  }

  @Test
  void aRuntimeOfThisGatewayIsNamedAsItIs() throws Exception {
    String f =
        Specs.wasmFilter(
            "vm_config:\n"
                + "  runtime: RUNTIME\n"
                + "  code: { local: { filename: plugins/wasm/c-http-headers.wasm } }\n");
    for (String ours : new String[] {"chicory", "chicory-compiler", "asm"}) {
      PluginConfig p =
          Specs.parse(Specs.bootstrap(f.replace("RUNTIME", ours), ""))
              .listeners()
              .get(0)
              .plugin()
              .config();
      assertEquals(ours, p.runtime());
    }
    String e = Specs.refusal(Specs.bootstrap(f.replace("RUNTIME", "envoy.wasm.runtime.v9"), ""));
    assertTrue(
        e.endsWith(
            "vm_config.runtime: unknown runtime envoy.wasm.runtime.v9 (supported:"
                + " envoy.wasm.runtime.v8, .wamr, .wasmtime, .wavm run on the default wasm runtime;"
                + " envoy.wasm.runtime.null runs a Java plugin; or a runtime of this gateway by name:"
                + " chicory-compiler, chicory, asm, null)"),
        e);
  }

  @Test
  void anUnknownFieldIsNamedWithItsPath() {
    String e = Specs.refusal(Specs.bootstrap("", "foo: 1"));
    assertTrue(
        e.startsWith(
            "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.foo: unknown field"),
        e);
    String nested =
        Specs.refusal(
            Specs.bootstrap("", "")
                .replace("connect_timeout: 1s", "connect_timeout: 1s\n      health_checks: []"));
    assertTrue(
        nested.startsWith("static_resources.clusters[0].health_checks: unknown field"), nested);
  }

  @Test
  void unsupportedAndWrongValuesAreNamed() {
    String lua = "              - name: envoy.filters.http.lua\n                typed_config: {}\n";
    assertTrue(
        Specs.refusal(Specs.bootstrap(lua, ""))
            .startsWith(
                "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0].name:"
                    + " unsupported HTTP filter envoy.filters.http.lua"),
        Specs.refusal(Specs.bootstrap(lua, "")));
    String nameless = Specs.refusal(Specs.bootstrap("              - typed_config: {}\n", ""));
    assertTrue(
        nameless.startsWith(
            "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0].name:"
                + " required"),
        nameless);
    assertTrue(
        Specs.refusal(Specs.bootstrap("", "").replace("cluster: up }", "cluster: nope }"))
            .contains("route.cluster: unknown cluster nope"));
    assertTrue(
        Specs.refusal(
                Specs.bootstrap("", "").replace("connect_timeout: 1s", "connect_timeout: soon"))
            .startsWith("static_resources.clusters[0].connect_timeout: soon is not a duration"));
    assertTrue(
        Specs.refusal(Specs.bootstrap("", "").replace("port_value: 8080", "port_value: eighty"))
            .contains("port_value: expected a number"));
    String remote = Specs.wasmFilter("vm_config:\n  code: { remote: REMOTE }\n");
    String sha = "ab".repeat(32);
    String[][] refusedRemote = {
      {
        "{ http_uri: { uri: 'http://x/p.wasm', timeout: 1s }, sha256: " + sha + " }",
        "vm_config.code.remote.http_uri.cluster: required"
      },
      {
        "{ http_uri: { uri: 'http://x/p.wasm', cluster: nope, timeout: 1s }, sha256: " + sha + " }",
        "vm_config.code.remote.http_uri.cluster: no cluster named nope in static_resources.clusters"
      },
      {
        "{ http_uri: { uri: 'http://x/p.wasm', cluster: up, timeout: 1s } }",
        "vm_config.code.remote.sha256: required for remote code"
      },
      {
        "{ http_uri: { uri: 'http://x/p.wasm', cluster: up, timeout: 1s }, sha256: abc }",
        "vm_config.code.remote.sha256: abc is not 64 hex digits"
      },
      {
        "{ http_uri: { uri: 'http://x/p.wasm', cluster: up }, sha256: " + sha + " }",
        "vm_config.code.remote.http_uri.timeout: required"
      },
      {
        "{ http_uri: { uri: 'ftp://x/p.wasm', cluster: up, timeout: 1s }, sha256: " + sha + " }",
        "vm_config.code.remote.http_uri.uri: ftp://x/p.wasm is not an http:// or https:// URL"
      },
      {
        "{ http_uri: { uri: 'http://x/p.wasm', cluster: up, timeout: 1s }, sha256: "
            + sha
            + ", retry_policy: { retry_back_off: { base_interval: 2s, max_interval: 1s } } }",
        "retry_policy.retry_back_off.max_interval: must not be less than base_interval"
      },
      {
        "{ http_uri: { uri: 'http://x/p.wasm', cluster: up, timeout: 1s }, sha256: "
            + sha
            + ", retry_policy: { retry_on: 5xx } }",
        "vm_config.code.remote.retry_policy.retry_on: unknown field"
      },
    };
    for (String[] c : refusedRemote) {
      String message = Specs.refusal(Specs.bootstrap(remote.replace("REMOTE", c[0]), ""));
      assertTrue(message.contains(c[1]), message);
    }
    assertTrue(
        Specs.refusal(
                Specs.bootstrap(
                    remote.replace("remote: REMOTE", "local: { inline_string: x }, remote: {}"),
                    ""))
            .endsWith("vm_config.code: give either local or remote, not both"));
    assertTrue(
        Specs.refusal("static_resources: [").startsWith("the configuration is not valid YAML"));
    String wrongType = Specs.bootstrap("", "").replace("HttpConnectionManager\n", "Nope\n");
    assertTrue(
        Specs.refusal(wrongType)
            .contains(
                "typed_config.@type: expected type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"),
        Specs.refusal(wrongType));
  }

  @Test
  void aTcpChainIsReadAndItsErrorsAreNamed() throws Exception {
    String ok = TcpProxyTest.yaml(7000);
    ListenerSpec l = Specs.parse(ok).listeners().get(0);
    assertTrue(l.isTcp());
    assertEquals("echo", l.tcpCluster());
    assertEquals("echo_tcp", l.statPrefix());
    assertEquals("lines", l.plugins().get(0).config().name());

    String chain = "static_resources.listeners[0].filter_chains[0].filters";
    String unknown =
        Specs.refusal(
            ok.replace(
                "name: envoy.filters.network.wasm", "name: envoy.filters.network.redis_proxy"));
    assertTrue(
        unknown.startsWith(
            chain + "[0].name: unsupported network filter envoy.filters.network.redis_proxy"),
        unknown);
    int tcpProxy = ok.lastIndexOf('\n', ok.indexOf("- name: envoy.filters.network.tcp_proxy")) + 1;
    String wasmOnly = ok.substring(0, tcpProxy) + ok.substring(ok.indexOf("  clusters:"));
    String missing = Specs.refusal(wasmOnly);
    assertTrue(
        missing.startsWith(
            chain + ": envoy.filters.network.wasm needs envoy.filters.network.tcp_proxy"),
        missing);
    String badCluster = Specs.refusal(ok.replace("cluster: echo\n", "cluster: nope\n"));
    assertTrue(
        badCluster.startsWith(chain + "[1].typed_config.cluster: unknown cluster nope"),
        badCluster);
    String nameless =
        Specs.refusal(
            ok.replaceFirst(
                "- name: envoy\\.filters\\.network\\.wasm\\n\\s+typed_config:", "- typed_config:"));
    assertTrue(nameless.startsWith(chain + "[0].name: required"), nameless);
    String extra =
        Specs.refusal(
            ok.replace(
                "stat_prefix: echo_tcp",
                "stat_prefix: echo_tcp\n                weighted_clusters: {}"));
    assertTrue(
        extra.startsWith(chain + "[1].typed_config.weighted_clusters: unknown field"), extra);
  }
}

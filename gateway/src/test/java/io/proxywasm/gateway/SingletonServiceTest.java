package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.gateway.config.ConfigException;
import io.proxywasm.gateway.config.EnvoyBootstrap;
import io.proxywasm.gateway.config.GatewaySpec;
import io.proxywasm.spi.Metric;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A singleton service from bootstrap_extensions (the C path collector) receives, over a shared
 * queue, what the path-reporter filter enqueues on every event loop.
 */
class SingletonServiceTest {
  private static final Path ROOT = Http.repo("");
  private Vertx vertx;
  private HttpServer upstream;
  private Gateway gateway;

  static String yaml(int upstreamPort, String singleton) {
    return """
        bootstrap_extensions:
          - name: envoy.bootstrap.wasm
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.wasm.v3.WasmService
              singleton: %s
              config:
                name: collector
                vm_config:
                  vm_id: collector
                  code: { local: { filename: plugins/wasm/c-path-collector.wasm } }
        static_resources:
          listeners:
            - name: main
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
                - filters:
                    - name: envoy.filters.network.http_connection_manager
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        stat_prefix: main
                        route_config:
                          virtual_hosts:
                            - name: all
                              domains: ["*"]
                              routes:
                                - match: { prefix: "/" }
                                  route: { cluster: up }
                        http_filters:
                          - name: envoy.filters.http.wasm
                            typed_config:
                              "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
                              config:
                                name: reporter
                                configuration:
                                  "@type": type.googleapis.com/google.protobuf.StringValue
                                  value: collector
                                vm_config:
                                  vm_id: reporter
                                  code: { local: { filename: plugins/wasm/c-path-reporter.wasm } }
                          - name: envoy.filters.http.router
          clusters:
            - name: up
              connect_timeout: 1s
              load_assignment:
                cluster_name: up
                endpoints:
                  - lb_endpoints:
                      - endpoint:
                          address:
                            socket_address: { address: 127.0.0.1, port_value: %d }
        """
        .formatted(singleton, upstreamPort);
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream =
        vertx
            .createHttpServer()
            .requestHandler(req -> req.response().end("up " + req.uri()))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    GatewaySpec spec = EnvoyBootstrap.parse(yaml(upstream.actualPort(), "true"), ROOT);
    assertEquals("collector", spec.services().get(0).config().name());
    gateway = Gateway.builder(spec).concurrency(2).start();
  }

  @AfterEach
  void stop() throws Exception {
    gateway.shutdown(Duration.ofSeconds(1));
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private long collected() {
    for (Metric m : gateway.stats.all()) {
      if (m.name().endsWith("collected_paths")) {
        return m.value();
      }
    }
    return -1;
  }

  private long count(String path) {
    return gateway
        .host()
        .sharedData()
        .get("collector", "path-count:" + path)
        .map(e -> Long.parseLong(new String(e.value(), StandardCharsets.UTF_8)))
        .orElse(0L);
  }

  @Test
  void filtersOnEveryEventLoopReportToTheService() throws Exception {
    // several connections, which the gateway spreads over its two event loops
    List<HttpClient> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
    }
    int sent = 0;
    for (int round = 0; round < 3; round++) {
      for (HttpClient c : clients) {
        HttpResponse<String> r =
            c.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.port(0) + "/p" + (sent % 2)))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("up /p" + (sent % 2), r.body());
        sent++;
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (collected() < sent && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(sent, collected());
    assertEquals(sent / 2, count("/p0"));
    assertEquals(sent / 2, count("/p1"));
  }

  @Test
  void aServicePerWorkerIsRefused() {
    String e =
        org.junit.jupiter.api.Assertions.assertThrows(
                ConfigException.class, () -> EnvoyBootstrap.parse(yaml(1, "false"), ROOT))
            .getMessage();
    assertTrue(e.startsWith("bootstrap_extensions[0].typed_config.singleton: only singleton"), e);
  }
}

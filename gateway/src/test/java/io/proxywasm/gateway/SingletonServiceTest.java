package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.gateway.config.GatewaySpec;
import io.proxywasm.spi.Metric;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A singleton service from bootstrap_extensions (the C path collector) receives, over a shared
 * queue, what the path-reporter filter enqueues on every event loop.
 */
class SingletonServiceTest {
  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  private Gateway gateway;

  static String yaml(int upstreamPort, String singleton) {
    String reporter =
        """
        name: reporter
        configuration:
          "@type": type.googleapis.com/google.protobuf.StringValue
          value: collector
        vm_config:
          vm_id: reporter
          code: { local: { filename: plugins/wasm/c-path-reporter.wasm } }
        """;
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
        """
            .formatted(singleton)
        + Specs.staticResources(
            Specs.httpListener(
                "main", "main", "", "", Specs.route("/", "up"), Specs.wasmFilter(reporter)),
            Specs.cluster("up", upstreamPort));
  }

  @BeforeEach
  void start() throws Exception {
    HttpServer upstream = gw.http(req -> req.response().end("up " + req.uri()));
    GatewaySpec spec = Specs.parse(yaml(upstream.actualPort(), "true"));
    assertEquals("collector", spec.services().get(0).config().name());
    gateway = gw.start(Gateway.builder(spec).concurrency(2));
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
        HttpResponse<String> r = Http.send(c, Http.request(gateway.port(0), "/p" + (sent % 2)));
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
    String e = Specs.refusal(yaml(1, "false"));
    assertTrue(e.startsWith("bootstrap_extensions[0].typed_config.singleton: only singleton"), e);
  }
}

package io.proxywasm.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.spi.MetricType;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.RecordingExtension.MetricValue;
import io.proxywasm.testkit.TestHost;
import io.proxywasm.testkit.TestPlugin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FilterAndServiceTest {
  private static final Path WASM = Path.of("../plugins/wasm");

  @Test
  void theFilterReportsPathsAndTheServiceCountsThem() throws Exception {
    try (TestHost host =
        ProxyWasmTestKit.builder()
            .runtime("chicory")
            .service(
                s ->
                    s.name("collector") // a singleton service on its own VM
                        .code(WASM.resolve("c-path-collector.wasm"))
                        .vmId("collector"))
            .plugin(
                p ->
                    p.name("reporter") // an HTTP filter on the worker
                        .code(WASM.resolve("c-path-reporter.wasm"))
                        .rootId("reporter")
                        .configuration("collector")) // the collector's vm_id
            .start()) {
      TestPlugin reporter = host.plugin("reporter");
      reporter.http().requestHeader(":path", "/a").run();
      reporter.http().requestHeader(":path", "/a").run();
      reporter.http().requestHeader(":path", "/b").run();

      // Each item was delivered to the service as the exchange ran what was due.
      assertEquals(
          "2",
          text(host.host().sharedData().get("collector", "path-count:/a").orElseThrow().value()));
      MetricValue collected = host.extension().metric("collected_paths").orElseThrow();
      assertEquals(MetricType.COUNTER, collected.type());
      assertEquals(3, collected.value());
      assertEquals("wasmcustom.collected_paths", collected.productionName()); // Envoy's name
      assertEquals(collected, host.extension().metric("wasmcustom.collected_paths").orElseThrow());
    }
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}

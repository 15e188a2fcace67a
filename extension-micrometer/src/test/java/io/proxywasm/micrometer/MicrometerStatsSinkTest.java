package io.proxywasm.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.proxywasm.envoy.EnvoyWasmExtension;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.ServicePlugin;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PluginInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Plugin and lifecycle stats as Micrometer meters. */
class MicrometerStatsSinkTest {
  private static final Path CORPUS =
      Path.of(System.getProperty("proxywasm.plugins.dir", "../plugins"), "wasm");

  private static byte[] corpus(String name) throws Exception {
    return Files.readAllBytes(CORPUS.resolve(name));
  }

  @Test
  void aPluginsCounterAndTheLifecycleGaugesShowInASimpleMeterRegistry() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    EnvoyWasmExtension extension =
        EnvoyWasmExtension.builder()
            .sink(new MicrometerStatsSink(meters, Tags.of("gateway", "edge")))
            .build();
    ManualScheduler scheduler = new ManualScheduler();
    try (ProxyWasmHost host =
        ProxyWasmHost.builder().extension(extension).scheduler(scheduler).build()) {
      try (ServicePlugin collector =
              host.startService(
                  PluginConfig.builder("collector")
                      .vmId("collector")
                      .runtime("chicory")
                      .code(corpus("c-path-collector.wasm"))
                      .build());
          Plugin reporter =
              host.load(
                  PluginConfig.builder("reporter")
                      .vmId("filters")
                      .runtime("chicory")
                      .code(corpus("c-path-reporter.wasm"))
                      .pluginConfiguration("collector")
                      .build());
          Worker worker = host.newWorker()) {
        for (String path : List.of("/a", "/b", "/a")) {
          HttpStream s = worker.handle(reporter).newHttpStream(HttpStreamListener.IGNORE);
          s.onRequestHeaders(HeaderMap.of(":path", path), true);
          s.close();
        }
        scheduler.runDue();
        assertTrue(collector.plugin().isAvailable());

        assertEquals(
            3.0,
            meters
                .get("wasmcustom.collected_paths")
                .tag("gateway", "edge")
                .functionCounter()
                .count(),
            "the plugin's own counter");
        // each plugin: a base VM, a canary (shut down once configured) and a clone (the
        // collector's singleton, the reporter's worker clone)
        assertEquals(6.0, meters.get("wasm.chicory.created").functionCounter().count());
        assertEquals(4.0, meters.get("wasm.chicory.active").gauge().value());
        double memory = meters.get("wasm.chicory.memory_size").gauge().value();
        assertTrue(memory >= 4 * 65_536, "four live VMs: " + memory);
        assertEquals(
            1.0,
            meters
                .get(MicrometerStatsSink.EVENTS)
                .tags("event", "ok", "plugin", "collector", "runtime", "chicory")
                .counter()
                .count());
        assertEquals(
            3.0,
            meters
                .get(MicrometerStatsSink.EVENTS)
                .tags("event", "vm_created", "plugin", "reporter")
                .counter()
                .count());
      }
      assertEquals(0.0, meters.get("wasm.chicory.active").gauge().value(), "all shut down");
      assertEquals(0.0, meters.get("wasm.chicory.memory_size").gauge().value());
    }
  }

  @Test
  void pluginHistogramsAreDistributionSummaries() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    EnvoyWasmExtension extension =
        EnvoyWasmExtension.builder().sink(new MicrometerStatsSink(meters)).build();
    PluginInfo plugin = new PluginInfo("p", "", "", "chicory");
    extension.pluginMetric(MetricType.HISTOGRAM, "latency_ms", plugin).record(40);
    extension.pluginMetric(MetricType.HISTOGRAM, "latency_ms", plugin).record(2);
    extension.pluginMetric(MetricType.GAUGE, "inflight", plugin).set(7);
    DistributionSummary summary = meters.get("wasmcustom.latency_ms").summary();
    assertEquals(2, summary.count());
    assertEquals(42.0, summary.totalAmount());
    assertEquals(40.0, summary.max());
    assertEquals(7.0, meters.get("wasmcustom.inflight").gauge().value());
    assertNull(meters.find("wasmcustom.inflight").counter(), "a gauge is not a counter");
  }

  @Test
  void serviceLoaderFindsTheSinkOnMicrometersGlobalRegistry() {
    EnvoyWasmExtension extension = EnvoyWasmExtension.withDiscoveredSinks();
    MicrometerStatsSink sink =
        extension.sinks().stream()
            .filter(MicrometerStatsSink.class::isInstance)
            .map(MicrometerStatsSink.class::cast)
            .findFirst()
            .orElseThrow(() -> new AssertionError("not discovered: " + extension.sinks()));
    assertSame(Metrics.globalRegistry, sink.registry());
  }
}

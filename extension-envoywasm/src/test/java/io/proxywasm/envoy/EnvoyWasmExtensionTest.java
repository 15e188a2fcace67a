package io.proxywasm.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.InMemoryExtension;
import io.proxywasm.host.LogSink;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.Extensions;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Envoy's stat names and semantics through a real host, and sinks swapped both ways. */
class EnvoyWasmExtensionTest {
  private static final Path CORPUS =
      Path.of(System.getProperty("proxywasm.plugins.dir", "../plugins"), "wasm");

  private static byte[] corpus(String name) throws Exception {
    return Files.readAllBytes(CORPUS.resolve(name));
  }

  @Test
  void lifecycleStatsFollowTheHostsVms() throws Exception {
    RecordingSink sink = new RecordingSink();
    EnvoyWasmExtension extension = EnvoyWasmExtension.builder().sink(sink).build();
    StatsRegistry stats = extension.registry();
    try (ProxyWasmHost host = ProxyWasmHost.builder().extension(extension).build()) {
      try (Plugin plugin =
              host.load(
                  PluginConfig.builder("headers")
                      .runtime("chicory")
                      .code(corpus("c-http-headers.wasm"))
                      .build());
          Worker worker = host.newWorker()) {
        HttpStream s = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
        s.onRequestHeaders(HeaderMap.of(":path", "/"), true);
        s.close();
        // base + canary + the worker's clone created; the canary shut down
        assertEquals(OptionalLong.of(3), stats.value("wasm.chicory.created"));
        assertEquals(OptionalLong.of(2), stats.value("wasm.chicory.active"));
        long memory = stats.value("wasm.chicory.memory_size").orElseThrow();
        assertTrue(memory >= 2 * 65_536, "two live VMs: " + memory);
      }
      assertEquals(OptionalLong.of(0), stats.value("wasm.chicory.active"));
      assertEquals(OptionalLong.of(0), stats.value("wasm.chicory.memory_size"));
    }
    assertTrue(sink.events.contains(WasmEvent.VM_CREATED));
    assertTrue(sink.events.contains(WasmEvent.OK));
    assertTrue(sink.stats.contains("wasm.chicory.created"), sink.stats.toString());
  }

  /**
   * A module that does not parse is code that cannot be initialized, as in proxy-wasm-cpp-host
   * (which fails the load with UnableToInitializeCode); UNABLE_TO_CREATE_VM is for a runtime that
   * cannot make a VM at all.
   */
  @Test
  void aMalformedModuleRaisesUnableToInitializeCode() throws Exception {
    RecordingSink sink = new RecordingSink();
    EnvoyWasmExtension extension = EnvoyWasmExtension.builder().sink(sink).build();
    try (ProxyWasmHost host = ProxyWasmHost.builder().extension(extension).build()) {
      for (String runtime : List.of("chicory", "chicory-compiler")) {
        sink.events.clear();
        PluginLoadException e =
            assertThrows(
                PluginLoadException.class,
                () ->
                    host.load(
                        PluginConfig.builder("malformed")
                            .runtime(runtime)
                            .code(corpus("bad-magic.wasm"))
                            .build()));
        assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, e.failState(), e.getMessage());
        assertTrue(
            sink.events.contains(WasmEvent.UNABLE_TO_INITIALIZE_CODE), sink.events.toString());
        assertTrue(!sink.events.contains(WasmEvent.UNABLE_TO_CREATE_VM), sink.events.toString());
      }
    }
  }

  @Test
  void pluginMetricsLiveUnderWasmcustom() throws Exception {
    RecordingSink sink = new RecordingSink();
    EnvoyWasmExtension extension = EnvoyWasmExtension.builder().sink(sink).build();
    PluginInfo plugin = new PluginInfo("p", "", "", "chicory");
    extension.pluginMetric(MetricType.COUNTER, "requests", plugin).add(2);
    extension.pluginMetric(MetricType.COUNTER, "requests", plugin).add(3);
    extension.pluginMetric(MetricType.GAUGE, "inflight", plugin).set(7);
    extension.pluginMetric(MetricType.HISTOGRAM, "latency", plugin).record(40);
    extension.pluginMetric(MetricType.HISTOGRAM, "latency", plugin).record(2);
    StatsRegistry stats = extension.registry();
    assertEquals(OptionalLong.of(5), stats.value("wasmcustom.requests"));
    assertEquals(OptionalLong.of(7), stats.value("wasmcustom.inflight"));
    assertEquals(OptionalLong.of(2), stats.value("wasmcustom.latency"), "histogram count");
    assertEquals(OptionalLong.of(42), stats.histogramSum("wasmcustom.latency"));
    assertEquals(List.of(40L, 2L), sink.histogramValues);
    IllegalArgumentException clash =
        assertThrows(
            IllegalArgumentException.class,
            () -> extension.pluginMetric(MetricType.GAUGE, "requests", plugin));
    assertTrue(clash.getMessage().contains("is a COUNTER, not a GAUGE"), clash.getMessage());
  }

  @Test
  void aPluginDefiningANameTakenByAnotherTypeIsAnsweredNotFailed() throws Exception {
    EnvoyWasmExtension extension = EnvoyWasmExtension.builder().build();
    extension
        .pluginMetric(MetricType.GAUGE, "collected_paths", new PluginInfo("other", "", "", ""))
        .set(9);
    RecordingLogs logs = new RecordingLogs();
    try (ProxyWasmHost host = ProxyWasmHost.builder().extension(extension).logSink(logs).build()) {
      PluginLoadException e =
          assertThrows(
              PluginLoadException.class,
              () ->
                  host.load(
                      PluginConfig.builder("collector")
                          .runtime("chicory")
                          .code(corpus("c-path-collector.wasm"))
                          .build()));
      // the plugin got BAD_ARGUMENT, logged it and refused its configuration: no trap
      assertEquals(FailState.CONFIGURE_FAILED, e.failState(), e.getMessage());
      assertEquals(List.of("cannot define the counter collected_paths"), logs.messages);
    }
    assertEquals(OptionalLong.of(9), extension.registry().value("wasmcustom.collected_paths"));
  }

  /** Keeps what plugins log. */
  private static final class RecordingLogs implements LogSink {
    final List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void log(PluginInfo plugin, LogLevel level, String message) {
      messages.add(message);
    }
  }

  @Test
  void reloadAndFailureEventsCount() {
    EnvoyWasmExtension extension = EnvoyWasmExtension.builder().build();
    PluginInfo plugin = new PluginInfo("p", "", "", "chicory");
    extension.onEvent(WasmEvent.VM_RELOAD_SUCCESS, plugin, "");
    extension.onEvent(WasmEvent.VM_RELOAD_FAILURE, plugin, "");
    extension.onEvent(WasmEvent.VM_RELOAD_BACKOFF, plugin, "");
    extension.onEvent(WasmEvent.of(FailState.RUNTIME_ERROR), plugin, "trap");
    StatsRegistry stats = extension.registry();
    assertEquals(OptionalLong.of(2), stats.value("wasm.vm_reload"));
    assertEquals(OptionalLong.of(1), stats.value("wasm.vm_reload_success"));
    assertEquals(OptionalLong.of(1), stats.value("wasm.vm_reload_failure"));
    assertEquals(OptionalLong.of(1), stats.value("wasm.vm_reload_backoff"));
  }

  @Test
  void aBrokenSinkDoesNotBreakTheExtension() {
    RecordingSink good = new RecordingSink();
    EnvoyWasmExtension extension =
        EnvoyWasmExtension.builder()
            .sink(
                new WasmStatsSink() {
                  @Override
                  public void onEvent(WasmEvent event, PluginInfo plugin, String message) {
                    throw new IllegalStateException("broken sink");
                  }
                })
            .sink(good)
            .build();
    extension.onEvent(WasmEvent.OK, new PluginInfo("p", "", "", "chicory"), "loaded");
    assertEquals(List.of(WasmEvent.OK), good.events);
  }

  @Test
  void serviceLoaderSwapsTheExtensionAndAddsSinks() throws Exception {
    Assumptions.assumeFalse(
        getClass().getModule().isNamed(),
        "ServiceLoader registrations of test classes are visible on the class path only");
    // the extension: the test one outranks envoy's
    Extensions found = Extensions.discover();
    assertEquals("test-extension", found.preferred().name());
    assertTrue(found.all().containsKey("envoy"));
    try (ProxyWasmHost host = ProxyWasmHost.builder().build()) {
      assertInstanceOf(InMemoryExtension.class, host.extension());
    }
    // the sinks: the test one and the SLF4J one are both found
    TestSinkProvider.CREATED.clear();
    EnvoyWasmExtension envoy = (EnvoyWasmExtension) found.get("envoy").create();
    assertEquals(1, TestSinkProvider.CREATED.size());
    assertTrue(envoy.sinks().stream().anyMatch(s -> s instanceof Slf4jEventSink));
    envoy.onEvent(WasmEvent.VM_CREATED, new PluginInfo("p", "", "", "chicory"), "");
    assertEquals(List.of(WasmEvent.VM_CREATED), TestSinkProvider.CREATED.get(0).events);
  }

  @Test
  void theProgrammaticApiSwapsBoth() throws Exception {
    RecordingSink mine = new RecordingSink();
    EnvoyWasmExtension extension = EnvoyWasmExtension.builder().sink(mine).build();
    try (ProxyWasmHost host = ProxyWasmHost.builder().extension(extension).build();
        Plugin plugin =
            host.load(
                PluginConfig.builder("hello")
                    .runtime("chicory")
                    .code(corpus("c-hello-world.wasm"))
                    .build())) {
      assertEquals(extension, host.extension());
      assertTrue(mine.events.contains(WasmEvent.OK), mine.events.toString());
      assertEquals(List.of(mine), extension.sinks());
      assertEquals("hello", plugin.info().name());
    }
  }
}

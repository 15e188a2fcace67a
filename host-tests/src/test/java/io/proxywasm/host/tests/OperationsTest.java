package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.InMemoryExtension;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.MetricType;
import io.proxywasm.testkit.RecordingLogSink;
import io.proxywasm.testkit.RecordingStreamListener;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What operators rely on: run-time log levels, unavailable plugins, the memory gauge. */
class OperationsTest {
  private final RecordingLogSink log = new RecordingLogSink();
  private final InMemoryExtension extension = new InMemoryExtension();
  private final ProxyWasmHost host =
      TestSupport.host(log, new ManualScheduler()).extension(extension).build();

  @AfterEach
  void tearDown() {
    host.close();
  }

  private static void exchange(PluginHandle handle, String path) {
    HttpStream s = handle.newHttpStream(HttpStreamListener.IGNORE);
    s.onRequestHeaders(HeaderMap.of(":path", path), true);
    s.onLog();
    s.close();
  }

  @Test
  void theLogLevelChangesAtRunTime() throws Exception {
    try (Plugin plugin =
            host.load(
                PluginConfig.builder("headers")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.corpus("wasm/c-http-headers.wasm"))
                    .build());
        Worker worker = host.newWorker()) {
      assertEquals(LogLevel.INFO, plugin.logLevel());
      exchange(worker.handle(plugin), "/a");
      assertEquals(List.of(), log.messages(), "trace lines are dropped at info");
      plugin.setLogLevel(LogLevel.TRACE);
      exchange(worker.handle(plugin), "/b");
      assertTrue(log.messages().stream().anyMatch(m -> m.endsWith(":path: /b")), log.toString());
      log.clear();
      plugin.setLogLevel(LogLevel.WARN);
      exchange(worker.handle(plugin), "/c");
      assertEquals(List.of(), log.messages());
    }
  }

  @Test
  void anUnavailablePluginAppliesItsFailPolicyToEveryStream() throws Exception {
    for (FailPolicy policy : FailPolicy.values()) {
      try (Plugin plugin =
              host.unavailable(
                  PluginConfig.builder("remote-" + policy)
                      .code(new byte[0])
                      .failPolicy(policy)
                      .build(),
                  "sha256 mismatch");
          Worker worker = host.newWorker()) {
        assertFalse(plugin.isAvailable());
        assertEquals(Optional.of("sha256 mismatch"), plugin.unavailableReason());
        assertThrows(IllegalStateException.class, plugin::abiVersion);
        RecordingStreamListener decisions = new RecordingStreamListener();
        HttpStream s = worker.handle(plugin).newHttpStream(decisions);
        FilterHeadersStatus status = s.onRequestHeaders(HeaderMap.of(":path", "/"), true);
        s.close();
        if (policy == FailPolicy.FAIL_CLOSED) {
          assertEquals(503, decisions.localResponses().get(0).status());
        } else {
          assertEquals(FilterHeadersStatus.CONTINUE, status);
          assertEquals(List.of(), decisions.localResponses());
        }
      }
    }
  }

  @Test
  void theMemoryGaugeFollowsLiveVms() throws Exception {
    String gauge = "wasm." + TestSupport.RUNTIME + ".memory_size";
    long perVm;
    try (Plugin plugin =
            host.load(
                PluginConfig.builder("headers")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.corpus("wasm/c-http-headers.wasm"))
                    .build());
        Worker worker = host.newWorker()) {
      long baseOnly = extension.hostMetric(MetricType.GAUGE, gauge).value();
      assertTrue(baseOnly > 0, "the base VM's memory is counted");
      exchange(worker.handle(plugin), "/");
      long withClone = extension.hostMetric(MetricType.GAUGE, gauge).value();
      perVm = withClone - baseOnly;
      assertEquals(baseOnly, perVm, "a clone has the base's memory size");
    }
    assertEquals(0, extension.hostMetric(MetricType.GAUGE, gauge).value(), "all VMs are gone");
    assertTrue(perVm > 0);
  }

  @Test
  void aFreshCloneAfterATrapIsAReload() throws Exception {
    java.util.List<io.proxywasm.spi.WasmEvent> events =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    io.proxywasm.spi.WasmExtension recording =
        new io.proxywasm.spi.WasmExtension() {
          @Override
          public void onEvent(
              io.proxywasm.spi.WasmEvent event, io.proxywasm.spi.PluginInfo plugin, String m) {
            events.add(event);
          }

          @Override
          public io.proxywasm.spi.Metric pluginMetric(
              MetricType type, String name, io.proxywasm.spi.PluginInfo plugin) {
            return extension.pluginMetric(type, name, plugin);
          }

          @Override
          public io.proxywasm.spi.Metric hostMetric(MetricType type, String name) {
            return extension.hostMetric(type, name);
          }
        };
    try (ProxyWasmHost h =
            TestSupport.host(log, new ManualScheduler()).extension(recording).build();
        Plugin plugin =
            h.load(
                PluginConfig.builder("trapper")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.wat("recorder.wat"))
                    .pluginConfiguration("t")
                    .build());
        Worker worker = h.newWorker()) {
      exchange(worker.handle(plugin), "/first");
      assertTrue(events.contains(io.proxywasm.spi.WasmEvent.RUNTIME_ERROR), events.toString());
      assertFalse(events.contains(io.proxywasm.spi.WasmEvent.VM_RELOAD_SUCCESS));
      exchange(worker.handle(plugin), "/second");
      assertTrue(events.contains(io.proxywasm.spi.WasmEvent.VM_RELOAD_SUCCESS), events.toString());
    }
  }
}

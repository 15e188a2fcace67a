package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.InMemoryExtension;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.ServicePlugin;
import io.proxywasm.host.Worker;
import io.proxywasm.host.WorkerPool;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmExtension;
import io.proxywasm.testkit.RecordingLogSink;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Worker pools, singleton service plugins, shared queues between VMs, and VM lifecycle events. */
class WorkerModelsTest {
  private final RecordingLogSink log = new RecordingLogSink();
  private final ManualScheduler scheduler = new ManualScheduler();

  @Test
  void poolServesConcurrentRequestsWithoutLeakingContexts() throws Exception {
    try (ProxyWasmHost host = TestSupport.host(log, scheduler).build();
        Plugin plugin =
            host.load(
                PluginConfig.builder("features")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.wat("features.wat"))
                    .build());
        WorkerPool pool = host.newWorkerPool(3)) {
      ExecutorService threads = Executors.newFixedThreadPool(6);
      List<Future<FilterHeadersStatus>> results = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 120; i++) {
        int n = i;
        results.add(
            threads.submit(
                () -> {
                  HttpStream stream =
                      pool.next().handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
                  try {
                    return stream.onRequestHeaders(HeaderMap.of(":path", "/r" + n), true);
                  } finally {
                    stream.close();
                  }
                }));
      }
      threads.shutdown();
      assertTrue(threads.awaitTermination(60, TimeUnit.SECONDS));
      for (Future<FilterHeadersStatus> r : results) {
        assertEquals(FilterHeadersStatus.CONTINUE, r.get());
      }
      assertEquals(
          120,
          host.extension().pluginMetric(MetricType.COUNTER, "requests", plugin.info()).value());
      for (Worker w : pool.workers()) {
        assertEquals(1, w.liveContexts(), "only the root context stays alive");
      }
    }
  }

  @Test
  void serviceCollectsWhatFiltersEnqueueAcrossVms() throws Exception {
    try (ProxyWasmHost host = TestSupport.host(log, scheduler).build();
        ServicePlugin service =
            host.startService(
                PluginConfig.builder("collector")
                    .vmId("shared")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.wat("features.wat"))
                    .build());
        Plugin filter =
            host.load(
                PluginConfig.builder("enqueuer")
                    .vmId("shared")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.wat("enqueuer.wat"))
                    .build());
        Worker worker = host.newWorker()) {
      assertTrue(service.handle().rootContextId().isPresent());
      log.clear();
      for (int i = 0; i < 3; i++) {
        HttpStream stream = worker.handle(filter).newHttpStream(HttpStreamListener.IGNORE);
        stream.onRequestHeaders(new HeaderMap(), true);
        stream.close();
      }
      assertTrue(log.messages().isEmpty(), "delivery is asynchronous");
      scheduler.runDue();
      assertEquals(List.of("hit", "hit", "hit"), log.messages());
    }
  }

  @Test
  void vmLifecycleEventsForBasesAndClones() throws Exception {
    ConcurrentHashMap<WasmEvent, AtomicLong> events = new ConcurrentHashMap<>();
    WasmExtension recording =
        new WasmExtension() {
          private final WasmExtension metrics = new InMemoryExtension();

          @Override
          public void onEvent(WasmEvent event, PluginInfo plugin, String message) {
            events.computeIfAbsent(event, e -> new AtomicLong()).incrementAndGet();
          }

          @Override
          public io.proxywasm.spi.Metric pluginMetric(
              MetricType type, String name, PluginInfo plugin) {
            return metrics.pluginMetric(type, name, plugin);
          }

          @Override
          public io.proxywasm.spi.Metric hostMetric(MetricType type, String name) {
            return metrics.hostMetric(type, name);
          }
        };
    try (ProxyWasmHost host = TestSupport.host(log, scheduler).extension(recording).build()) {
      try (Plugin plugin =
              host.load(
                  PluginConfig.builder("recorder")
                      .runtime(TestSupport.RUNTIME)
                      .code(TestSupport.wat("recorder.wat"))
                      .build());
          Worker worker = host.newWorker()) {
        worker.handle(plugin).rootContextId();
        // base + canary + worker clone
        assertEquals(3, events.get(WasmEvent.VM_CREATED).get());
        assertEquals(1, events.get(WasmEvent.VM_SHUT_DOWN).get(), "the canary is gone");
      }
      assertEquals(3, events.get(WasmEvent.VM_SHUT_DOWN).get(), "all VMs shut down");
      assertEquals(1, events.get(WasmEvent.OK).get());
    }
  }
}

package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.InMemoryExtension;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.TcpStream;
import io.proxywasm.host.TcpStreamListener;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmExtension;
import io.proxywasm.testkit.RecordingLogSink;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A plugin that traps in any one callback never throws into the embedder, never leaks a context,
 * and leaves another plugin on the same worker working.
 */
class TrapEverywhereTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r"
      })
  void trapInOneCallback(String callback) throws Exception {
    ManualScheduler scheduler = new ManualScheduler();
    AtomicInteger runtimeErrors = new AtomicInteger();
    WasmExtension metrics = new InMemoryExtension();
    WasmExtension counting =
        new WasmExtension() {
          @Override
          public void onEvent(WasmEvent event, PluginInfo plugin, String message) {
            if (event == WasmEvent.RUNTIME_ERROR) {
              runtimeErrors.incrementAndGet();
            }
          }

          @Override
          public Metric pluginMetric(MetricType type, String name, PluginInfo plugin) {
            return metrics.pluginMetric(type, name, plugin);
          }

          @Override
          public Metric hostMetric(MetricType type, String name) {
            return metrics.hostMetric(type, name);
          }
        };
    try (ProxyWasmHost host =
            ProxyWasmHost.builder()
                .logSink(new RecordingLogSink())
                .scheduler(scheduler)
                .extension(counting)
                .build();
        Plugin trapper =
            host.load(
                PluginConfig.builder("trapper")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.wat("trapper.wat"))
                    .pluginConfiguration(callback)
                    .build());
        Plugin healthy =
            host.load(
                PluginConfig.builder("healthy")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.wat("recorder.wat"))
                    .build());
        Worker worker = host.newWorker()) {
      PluginHandle handle = worker.handle(trapper);
      for (int round = 0; round < 2; round++) {
        HttpStream http = handle.newHttpStream(HttpStreamListener.IGNORE);
        http.onRequestHeaders(HeaderMap.of(":path", "/"), false);
        http.onRequestBody(new BodyBuffer(new byte[] {1}), false);
        http.onRequestTrailers(HeaderMap.of("t", "1"));
        http.onResponseHeaders(HeaderMap.of(":status", "200"), false);
        http.onResponseBody(new BodyBuffer(new byte[] {2}), true);
        http.onResponseTrailers(HeaderMap.of("t", "2"));
        http.onLog();
        http.close();

        TcpStream tcp = handle.newTcpStream(TcpStreamListener.IGNORE, PropertyResolver.NONE);
        tcp.onNewConnection();
        tcp.onDownstreamData(new BodyBuffer(new byte[] {3}), false);
        tcp.onUpstreamData(new BodyBuffer(new byte[] {4}), false);
        tcp.onConnectionClose(StreamType.DOWNSTREAM, PeerType.REMOTE);
        tcp.onConnectionClose(StreamType.UPSTREAM, PeerType.LOCAL);
        tcp.close();

        handle.tick();
        handle.callForeignFunction(1, new byte[] {5});
        host.sharedQueues().enqueue(host.sharedQueues().resolve("", "q"), new byte[] {6});
        scheduler.runDue();
      }
      assertTrue(worker.liveContexts() <= 1, "contexts alive: " + worker.liveContexts());
      assertTrue(
          runtimeErrors.get() >= 2, "the plugin trapped in each round: " + runtimeErrors.get());

      HttpStream fine = worker.handle(healthy).newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(FilterHeadersStatus.CONTINUE, fine.onRequestHeaders(new HeaderMap(), true));
      fine.close();
      scheduler.advance(Duration.ofSeconds(1));
    }
  }
}

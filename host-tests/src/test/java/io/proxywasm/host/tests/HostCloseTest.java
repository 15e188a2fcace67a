package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginFailure;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.ServicePlugin;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.testkit.RecordingLogSink;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Closing the host closes everything it made, and says so to whoever comes later. */
class HostCloseTest {
  private final RecordingLogSink log = new RecordingLogSink();
  private final ManualScheduler scheduler = new ManualScheduler();
  private final ProxyWasmHost host = TestSupport.host(log, scheduler).build();

  private PluginConfig probe(String name) {
    return PluginConfig.builder(name)
        .rootId(name)
        .runtime(TestSupport.RUNTIME)
        .code(TestSupport.corpus("wasm/c-abi-probe.wasm"))
        .pluginConfiguration("tick")
        .build();
  }

  private List<String> lines(String prefix) {
    return log.messages().stream().filter(m -> m.startsWith(prefix)).collect(Collectors.toList());
  }

  @Test
  void closingTheHostShutsEveryRootDownClosesEveryVmAndRefusesWhatComesLater() throws Exception {
    Plugin plugin = host.load(probe("ticker"));
    Worker worker = host.newWorker();
    int root = worker.handle(plugin).rootContextId().orElseThrow();
    ServicePlugin service = host.startService(probe("service"));
    HttpStream open = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(2, lines("tick").size(), "the worker's root and the service tick");
    log.clear();

    host.close();

    assertTrue(lines("on_done").contains("on_done 0 " + root), log.messages().toString());
    assertEquals(2, lines("on_delete").size(), "the worker's root and the service's");
    log.clear();
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals(List.of(), lines("tick"), "no tick after close");
    assertEquals(
        FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
        open.onRequestHeaders(HeaderMap.of(":path", "/"), true),
        "a stream left open gets the fail policy (closed)");
    assertEquals(503, open.localResponse().orElseThrow().status());
    assertEquals(PluginFailure.Cause.UNAVAILABLE, open.failure().orElseThrow().cause());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> host.load(probe("late")));
    assertTrue(e.getMessage().contains("the host is closed"), e.getMessage());
    assertThrows(IllegalStateException.class, host::newWorker);
    host.close(); // idempotent
    service.close();
    open.close();
  }
}

package io.proxywasm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.internal.vm.Context;
import io.proxywasm.host.internal.vm.StreamRole;
import io.proxywasm.spi.FilterHeadersStatus;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * How a stream enters its VM: opening it takes no lock and puts nothing in the VM but takes its
 * context id, its first event puts its context in the VM's table inside the VM, and the worker's
 * lock-free way to the plugin's root gives way to the locked one when the plugin or the worker
 * closed. Root callbacks entered from another thread race the stream events, each under the VM's
 * lock.
 */
class StreamEntryTest {
  private static final HeaderMap REQUEST = HeaderMap.of(":path", "/");

  private static PluginConfig probe(String configuration) {
    return PluginConfig.builder("probe")
        .runtime(TestSupport.RUNTIME)
        .code(TestSupport.corpus("wasm/c-abi-probe.wasm"))
        .pluginConfiguration(configuration)
        .build();
  }

  @Test
  void openingAStreamTakesItsIdAndItsFirstEventPutsItsContextInTheVm() throws Exception {
    try (ProxyWasmHost host = ProxyWasmHost.builder().logSink(TestSupport.NO_LOGS).build();
        Plugin plugin = host.load(probe(""));
        Worker worker = host.newWorker()) {
      PluginHandle handle = worker.handle(plugin);
      int root = handle.rootContextId().orElseThrow();

      HttpStream stream = handle.newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(root + 1, stream.contextId(), "opened, the stream has its id");
      assertEquals(1, worker.liveContexts(), "opened, the stream has nothing in the VM yet");
      assertEquals(FilterHeadersStatus.CONTINUE, stream.onRequestHeaders(REQUEST, true));
      assertEquals(2, worker.liveContexts(), "its first event put its context in the VM");
      assertEquals(root + 1, stream.contextId(), "the same id");
      stream.close();
      assertEquals(1, worker.liveContexts(), "closed, its context is gone");

      HttpStream aborted = handle.newHttpStream(HttpStreamListener.IGNORE);
      aborted.close();
      assertEquals(root + 2, aborted.contextId(), "closed before any event: its id stays used");
      assertEquals(1, worker.liveContexts(), "only the root context is alive");
      HttpStream next = handle.newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(root + 3, next.contextId(), "the next stream takes the next id");
      next.close();
    }
  }

  @Test
  void aStreamContextJoinsItsVmWhenItEnters() throws Exception {
    try (ProxyWasmHost host = ProxyWasmHost.builder().logSink(TestSupport.NO_LOGS).build();
        Plugin plugin = host.load(probe(""));
        Worker worker = host.newWorker()) {
      Context root = worker.root(plugin);
      assertNotNull(root, "the plugin starts");
      Context opened = Context.open(root, StreamRole.NONE);
      assertEquals(root.id() + 1, opened.id(), "opening takes the next id without the lock");
      assertFalse(opened.joined(), "opened, it is not in the VM's table");
      assertEquals(1, worker.liveContexts(), "no context joined");

      assertTrue(root.wasm().enterStream(opened, opened::joined), "it joins before the work runs");
      assertEquals(2, worker.liveContexts(), "entered, the context is in the VM");
      assertEquals(root.id() + 1, opened.id(), "with the id it took");
      root.wasm().lockedRun(opened::onDelete);
      assertEquals(1, worker.liveContexts());
    }
  }

  @Test
  void aStreamWhoseIdCameRoundToALiveContextsTakesTheNextFreeOne() throws Exception {
    try (ProxyWasmHost host = ProxyWasmHost.builder().logSink(TestSupport.NO_LOGS).build();
        Plugin plugin = host.load(probe(""));
        Worker worker = host.newWorker()) {
      PluginHandle handle = worker.handle(plugin);
      int root = handle.rootContextId().orElseThrow();
      // 2^31 - 1 ids later: the counter is at its last id, the root context still lives
      contextCounter(worker.root(plugin)).set(Integer.MAX_VALUE);
      HttpStream last = handle.newHttpStream(HttpStreamListener.IGNORE);
      HttpStream wrapped = handle.newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(Integer.MAX_VALUE, last.contextId());
      assertEquals(root, wrapped.contextId(), "after the last id the counter starts again at 1");
      assertEquals(FilterHeadersStatus.CONTINUE, wrapped.onRequestHeaders(REQUEST, true));
      assertEquals(root + 1, wrapped.contextId(), "joining, it takes the next id no context has");
      assertEquals(FilterHeadersStatus.CONTINUE, last.onRequestHeaders(REQUEST, true));
      assertEquals(Integer.MAX_VALUE, last.contextId());
      assertEquals(3, worker.liveContexts(), "the root and two streams, each with its own id");
      assertEquals(root, handle.rootContextId().orElseThrow(), "the root keeps its id");
      last.close();
      wrapped.close();
      assertEquals(1, worker.liveContexts());
    }
  }

  /** The VM's context counter, reached as no caller can: to stand for 2^31 streams opened. */
  private static AtomicInteger contextCounter(Context root) throws ReflectiveOperationException {
    Field contexts = root.wasm().getClass().getDeclaredField("contexts");
    contexts.setAccessible(true);
    Object table = contexts.get(root.wasm());
    Field counter = table.getClass().getDeclaredField("nextContextId");
    counter.setAccessible(true);
    return (AtomicInteger) counter.get(table);
  }

  @Test
  void aStreamOpenedAfterItsPluginOrItsWorkerClosedFailsClearly() throws Exception {
    try (ProxyWasmHost host = ProxyWasmHost.builder().logSink(TestSupport.NO_LOGS).build();
        Plugin twin = host.load(probe(""))) { // the same key: both share one root context
      Worker worker = host.newWorker(); // closed below; the host closes it otherwise
      Plugin plugin = host.load(probe(""));
      PluginHandle handle = worker.handle(plugin);
      HttpStream first = handle.newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(FilterHeadersStatus.CONTINUE, first.onRequestHeaders(REQUEST, true));
      first.close();
      plugin.close();
      IllegalStateException closedPlugin =
          assertThrows(
              IllegalStateException.class, () -> handle.newHttpStream(HttpStreamListener.IGNORE));
      assertTrue(closedPlugin.getMessage().contains("is closed"), closedPlugin.getMessage());

      HttpStream other = worker.handle(twin).newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(FilterHeadersStatus.CONTINUE, other.onRequestHeaders(REQUEST, true));
      assertTrue(other.failure().isEmpty(), "the twin still runs on the shared root");
      other.close();

      worker.close();
      IllegalStateException closedWorker =
          assertThrows(
              IllegalStateException.class,
              () -> worker.handle(twin).newHttpStream(HttpStreamListener.IGNORE));
      assertEquals("worker is closed", closedWorker.getMessage());
    }
  }

  @Test
  void streamEventsRaceRootCallbacksFromAnotherThread() throws Exception {
    int ticks = 1_000;
    AtomicLong ticked = new AtomicLong();
    LogSink countTicks =
        (plugin, level, message) -> {
          if (message.startsWith("tick")) {
            ticked.incrementAndGet();
          }
        };
    try (ProxyWasmHost host =
            ProxyWasmHost.builder()
                .logSink(countTicks)
                .logLimit(new LogLimit(Long.MAX_VALUE, Long.MAX_VALUE)) // count every line
                .build();
        Plugin plugin = host.load(probe(""));
        Worker worker = host.newWorker()) {
      PluginHandle handle = worker.handle(plugin);
      handle.rootContextId().orElseThrow();
      AtomicReference<Throwable> tickFailure = new AtomicReference<>();
      // another thread enters the VM for the root, as a queue item or a timer's delivery does
      Thread ticker =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < ticks; i++) {
                    worker.handle(plugin).tick();
                  }
                } catch (Throwable e) {
                  tickFailure.set(e);
                }
              },
              "ticker");
      ticker.start();
      long exchanges = 0;
      while (ticker.isAlive() || exchanges < 1_000) {
        HttpStream stream = handle.newHttpStream(HttpStreamListener.IGNORE);
        assertEquals(FilterHeadersStatus.CONTINUE, stream.onRequestHeaders(REQUEST, false));
        assertEquals(
            FilterHeadersStatus.CONTINUE,
            stream.onResponseHeaders(HeaderMap.of(":status", "200"), true));
        stream.onLog();
        stream.close();
        assertTrue(stream.failure().isEmpty(), () -> "exchange failed: " + stream.failure());
        exchanges++;
      }
      ticker.join();
      assertEquals(null, tickFailure.get(), "a tick failed");
      assertEquals(ticks, ticked.get(), "every tick reached the plugin once");
      assertEquals(1, worker.liveContexts(), "every stream's context is gone");
    }
  }
}

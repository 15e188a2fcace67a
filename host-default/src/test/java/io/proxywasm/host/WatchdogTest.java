package io.proxywasm.host;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.internal.vm.Watchdog;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The thread that enforces call deadlines belongs to its host: it runs only while some VM with a
 * deadline is alive, and it is gone once the host is closed.
 */
class WatchdogTest {
  private PluginConfig probe(String name, Duration deadline) {
    return PluginConfig.builder(name)
        .rootId(name)
        .runtime(TestSupport.RUNTIME)
        .code(TestSupport.corpus("wasm/c-abi-probe.wasm"))
        .callDeadline(deadline)
        .build();
  }

  @Test
  void noThreadRunsWhileNothingIsWatched() throws Exception {
    try (ProxyWasmHost host = TestSupport.host(new ManualScheduler()).build()) {
      Watchdog watchdog = host.watchdog();
      assertFalse(watchdog.running(), "a host with no plugin has no watchdog thread");
      assertNull(watchdog.thread());

      try (Plugin noDeadline = host.load(probe("no-deadline", Duration.ZERO));
          Worker worker = host.newWorker()) {
        worker.handle(noDeadline).rootContextId().orElseThrow();
        assertNull(watchdog.thread(), "a VM without a deadline is not watched");
      }

      Thread sweeper;
      try (Plugin plugin = host.load(probe("deadline", Duration.ofSeconds(10)));
          Worker worker = host.newWorker()) {
        sweeper = watchdog.thread();
        assertNotNull(sweeper, "a VM with a deadline starts the thread");
        assertTrue(sweeper.isAlive());
        worker.handle(plugin).rootContextId().orElseThrow();
        assertSame(sweeper, watchdog.thread(), "one thread for every VM of the host");
      }
      assertNull(watchdog.thread(), "the last VM closed: nothing is watched");
      assertFalse(sweeper.isAlive(), "the thread ended with the last VM it watched");

      try (Plugin again = host.load(probe("again", Duration.ofSeconds(10)))) {
        assertTrue(again.isAvailable());
        Thread next = watchdog.thread();
        assertNotNull(next, "watching again starts a thread again");
        assertTrue(next.isAlive());
      }
    }
  }

  @Test
  void closingTheHostEndsTheThread() throws Exception {
    ProxyWasmHost host = TestSupport.host(new ManualScheduler()).build();
    Plugin plugin = host.load(probe("deadline", Duration.ofSeconds(10)));
    Worker worker = host.newWorker();
    worker.handle(plugin).rootContextId().orElseThrow();
    Thread sweeper = host.watchdog().thread();
    assertNotNull(sweeper);
    assertTrue(sweeper.isAlive());

    host.close(); // the plugin and the worker are left open: the host closes them

    assertNull(host.watchdog().thread());
    assertFalse(sweeper.isAlive(), "no watchdog thread remains after the host is closed");
    assertFalse(
        Thread.getAllStackTraces().containsKey(sweeper), "the JVM no longer lists the thread");
  }
}

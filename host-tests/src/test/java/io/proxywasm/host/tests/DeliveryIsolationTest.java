package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.InMemoryExtension;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.MetricType;
import io.proxywasm.testkit.RecordingLogSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A plugin can only slow itself: its timers and deliveries never hold another plugin's. */
class DeliveryIsolationTest {
  /** Sets a 1 ms tick; each tick logs "tick" and then spins for as long as its deadline allows. */
  private static String ticker(boolean spin) {
    return "(module\n"
        + "  (import \"env\" \"proxy_log\" (func $log (param i32 i32 i32) (result i32)))\n"
        + "  (import \"env\" \"proxy_set_tick_period_milliseconds\""
        + "    (func $tick (param i32) (result i32)))\n"
        + "  (memory (export \"memory\") 1)\n"
        + "  (data (i32.const 16) \"tick\")\n"
        + "  (func (export \"malloc\") (param i32) (result i32) (i32.const 1024))\n"
        + "  (func (export \"proxy_abi_version_0_2_1\"))\n"
        + "  (func (export \"proxy_on_context_create\") (param i32 i32))\n"
        + "  (func (export \"proxy_on_vm_start\") (param i32 i32) (result i32)\n"
        + "    (drop (call $tick (i32.const 1))) (i32.const 1))\n"
        + "  (func (export \"proxy_on_tick\") (param i32)\n"
        + "    (drop (call $log (i32.const 2) (i32.const 16) (i32.const 4)))\n"
        + (spin ? "    (loop $forever (br $forever))\n" : "")
        + "  ))";
  }

  private static PluginConfig config(String name, boolean spin) {
    return PluginConfig.builder(name)
        .vmId(name)
        .runtime(TestSupport.RUNTIME)
        .code(TestSupport.watText(ticker(spin)))
        .callDeadline(Duration.ofSeconds(3))
        .build();
  }

  @Test
  void aSpinningTickDoesNotHoldAnotherPluginsTicks() throws Exception {
    CountDownLatch quietTicked = new CountDownLatch(1);
    CountDownLatch spinnerEntered = new CountDownLatch(1);
    ManualScheduler scheduler = new ManualScheduler();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (ProxyWasmHost host =
        ProxyWasmHost.builder()
            .scheduler(scheduler)
            .deliveryPool(pool)
            .logSink(
                (plugin, level, message) -> {
                  if (plugin.name().equals("quiet")) {
                    quietTicked.countDown();
                  } else {
                    spinnerEntered.countDown();
                  }
                })
            .build()) {
      Plugin spinner = host.load(config("spinner", true));
      Plugin quiet = host.load(config("quiet", false));
      Worker worker = host.newWorker();
      worker.handle(spinner).rootContextId();
      worker.handle(quiet).rootContextId();
      long start = System.nanoTime();
      scheduler.advance(Duration.ofMillis(1)); // both ticks are due: each goes to its own VM
      long held = System.nanoTime() - start;
      // delivered inline, the spinner would hold the scheduler's thread until its 3 s deadline
      assertTrue(held < TimeUnit.MILLISECONDS.toNanos(2500), "scheduler held " + held + " ns");
      assertTrue(spinnerEntered.await(10, TimeUnit.SECONDS), "the spinner's tick runs");
      assertTrue(
          quietTicked.await(2, TimeUnit.SECONDS),
          "the quiet plugin ticks while the spinner's tick still spins (deadline 3 s)");
      worker.close();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aWorkerMadeWithAnEventLoopGetsItsVmsEventsThere() throws Exception {
    ManualScheduler scheduler = new ManualScheduler();
    List<Runnable> loop = new ArrayList<>();
    RecordingLogSink log = new RecordingLogSink();
    try (ProxyWasmHost host = TestSupport.host(log, scheduler).build()) {
      Plugin quiet = host.load(config("quiet", false));
      Worker worker = host.newWorker(loop::add);
      worker.handle(quiet).rootContextId();
      log.clear();
      scheduler.advance(Duration.ofMillis(1));
      assertEquals(List.of(), log.messages(), "not run on the scheduler's thread");
      assertEquals(1, loop.size());
      loop.remove(0).run();
      assertEquals(List.of("tick"), log.messages(), "run when the event loop runs it");
      worker.close();
    }
  }

  @Test
  void ticksOverTheirBudgetAreSkippedAndCounted() throws Exception {
    ManualScheduler scheduler = new ManualScheduler();
    RecordingLogSink log = new RecordingLogSink();
    InMemoryExtension extension = new InMemoryExtension();
    try (ProxyWasmHost host =
        TestSupport.host(log, scheduler)
            .extension(extension)
            .tickBudget(Duration.ofNanos(1))
            .build()) {
      Plugin quiet = host.load(config("quiet", false));
      Worker worker = host.newWorker();
      worker.handle(quiet).rootContextId();
      log.clear();
      for (int i = 0; i < 5; i++) {
        scheduler.advance(Duration.ofMillis(1));
      }
      // the first tick of the second used more than 1 ns: the next four are skipped
      assertEquals(List.of("tick"), log.messages());
      assertEquals(
          4,
          extension
              .hostMetric(MetricType.COUNTER, "wasm." + TestSupport.RUNTIME + ".ticks_skipped")
              .value());
      worker.close();
    }
  }
}

package io.proxywasm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.internal.vm.Context;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The VM's one locking rule: code outside the VM enters it (an entry point, or {@code locked})
 * before calling into the guest; a call that skipped that fails at once instead of racing another
 * thread.
 */
class VmEntryTest {
  /** The "tick" lines the plugin logged: one per proxy_on_tick that reached it. */
  private final AtomicLong ticks = new AtomicLong();

  private final LogSink countTicks =
      (plugin, level, message) -> {
        if (message.startsWith("tick")) {
          ticks.incrementAndGet();
        }
      };

  private long ticks() {
    return ticks.get();
  }

  @Test
  void aCallIntoTheGuestWithoutEnteringTheVmFailsAndEnteredItRuns() throws Exception {
    try (ProxyWasmHost host =
            ProxyWasmHost.builder().logSink(countTicks).scheduler(new ManualScheduler()).build();
        Plugin plugin =
            host.load(
                PluginConfig.builder("probe")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.corpus("wasm/c-abi-probe.wasm"))
                    .build());
        Worker worker = host.newWorker()) {
      Context root = worker.root(plugin);
      assertNotNull(root, "the plugin starts");

      IllegalStateException e = assertThrows(IllegalStateException.class, root::onTick);
      assertTrue(e.getMessage().contains("without entering it"), e.getMessage());
      assertEquals(0, ticks(), "the guest was not called");

      root.wasm().lockedRun(root::onTick);
      assertEquals(1, ticks(), "entered, the tick reaches the plugin");
      assertTrue(worker.handle(plugin).tick(), "the handle's entry point enters by itself");
      assertEquals(2, ticks());
    }
  }
}

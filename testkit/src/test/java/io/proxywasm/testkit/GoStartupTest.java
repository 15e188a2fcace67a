package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/**
 * What a Go (wasip1) plugin's runtime needs from the host while it starts, through {@code
 * plugins/wat/go-runtime-startup.wat}, which traps wherever the Go runtime would stop (its comment
 * lists the rules): a non-zero monotonic clock that advances, random bytes, arguments and
 * environment, sched_yield and a clock subscription in poll_oneoff.
 */
class GoStartupTest {
  // The kit's clock never reads 0 and moves with every reading, as a real one; the module starts
  // in the base VM and again in the worker's clone, as in Envoy.
  @OnEveryRuntime(wasm = "../plugins/wasm/go-runtime-startup.wasm")
  void theGoRuntimeStarts(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.start()) {
      assertEquals(
          List.of("go runtime started"), SdkPluginAssertions.distinct(plugin.logs().messages()));
      assertTrue(plugin.handle().rootContextId().isPresent());
    }
  }
}

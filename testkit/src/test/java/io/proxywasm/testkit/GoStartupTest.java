package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;

/**
 * What a Go (wasip1) plugin's runtime needs from the host while it starts, through {@code
 * plugins/wat/go-runtime-startup.wat}, which traps wherever the Go runtime would stop (its comment
 * lists the rules): a non-zero monotonic clock that advances, random bytes, arguments and
 * environment, sched_yield and a clock subscription in poll_oneoff.
 */
class GoStartupTest {
  // Host bug: the test kit's ManualClock starts the monotonic clock at 0 and does not move it
  // during a call, so the module traps where Go throws "nanotime returning zero".
  @Tag("needs-host-fix")
  @OnEveryRuntime(wasm = "../plugins/wasm/go-runtime-startup.wasm")
  void theGoRuntimeStarts(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.start()) {
      assertEquals(List.of("go runtime started"), plugin.logs().messages());
      assertTrue(plugin.handle().rootContextId().isPresent());
    }
  }
}

package io.proxywasm.host.internal.abi;

import io.proxywasm.host.internal.vm.Context;
import io.proxywasm.host.internal.vm.WasmBase;
import java.time.Duration;

/** Registers shared queues so that {@code proxy_on_queue_ready} reaches the registrant's VM. */
final class Queues {
  private Queues() {}

  /**
   * Registers (or re-registers) a queue for a root context. Notifications are delivered later, on
   * the scheduler, under the VM's lock, never inside the enqueuing call.
   */
  static int register(WasmBase wasm, Context root, String name) {
    return wasm.host()
        .sharedQueues()
        .register(
            wasm.spec().vmId(),
            name,
            token ->
                wasm.delivery().post(Duration.ZERO, () -> root.rootState().onQueueReady(token)));
  }
}

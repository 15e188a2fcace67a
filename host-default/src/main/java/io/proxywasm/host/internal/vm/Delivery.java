package io.proxywasm.host.internal.vm;

import io.proxywasm.host.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * How asynchronous events (ticks, queue items, callout answers, timeouts) reach one VM: the host's
 * scheduler says when, and the VM's executor runs them, each inside the VM ({@link
 * WasmBase#lockedRun}) and only while the VM is open. The executor is the worker's event loop, or
 * the VM's own serial queue on the host's pool, or inline on the scheduler's thread when the
 * embedder gave the host its scheduler and no pool.
 */
public final class Delivery {
  private final WasmBase wasm;
  private final Scheduler scheduler;
  private volatile Executor executor;

  Delivery(WasmBase wasm, HostServices host) {
    this.wasm = wasm;
    this.scheduler = host.scheduler();
    this.executor =
        host.deliveryPool() == null ? Runnable::run : new SerialExecutor(host.deliveryPool());
  }

  /**
   * Runs a task later inside the VM, unless the VM is closed by then.
   *
   * @param delay how long to wait
   * @param task what to run
   * @return a handle to cancel it
   */
  public Scheduler.Cancellable post(Duration delay, Runnable task) {
    Runnable entered = () -> wasm.lockedRun(() -> runUnlessClosed(task));
    return scheduler.schedule(delay, () -> executor.execute(entered));
  }

  private void runUnlessClosed(Runnable task) {
    if (!wasm.isClosed()) {
      task.run();
    }
  }

  /** Delivers on the given executor from now on; it must run tasks one at a time. */
  void on(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
  }
}

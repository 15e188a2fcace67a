package io.proxywasm.host;

import java.time.Duration;

/** Runs timer work later: ticks and callout timeouts. Must be thread-safe. */
@FunctionalInterface
public interface Scheduler {
  /**
   * Runs a task once after a delay.
   *
   * @param delay how long to wait
   * @param task what to run; the host serialises it with the VM it concerns
   * @return a handle to cancel the task
   */
  Cancellable schedule(Duration delay, Runnable task);

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not run yet. */
    void cancel();
  }
}

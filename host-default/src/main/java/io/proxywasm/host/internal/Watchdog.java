package io.proxywasm.host.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Enforces call deadlines on real time, whatever scheduler the host uses for ticks: one daemon
 * thread for the whole process, which only ever runs the short action of a deadline that passed.
 */
final class Watchdog {
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "proxy-wasm-deadlines");
            t.setDaemon(true);
            return t;
          });

  private Watchdog() {}

  /** A deadline being watched. */
  interface Armed {
    /** Stops watching; the action will not run if it has not started. */
    void cancel();
  }

  static Armed arm(Duration deadline, Runnable onExpiry) {
    ScheduledFuture<?> f = TIMER.schedule(onExpiry, deadline.toNanos(), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }
}

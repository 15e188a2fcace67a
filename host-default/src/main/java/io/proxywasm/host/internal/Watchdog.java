package io.proxywasm.host.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Enforces call deadlines on real time, whatever scheduler the host uses for ticks. A call into a
 * VM only writes its deadline into the VM (no allocation, no shared lock on the hot path); one
 * daemon thread for the whole process sweeps the VMs that have a call in progress and stops the
 * ones past their deadline. Deadlines are enforced to within {@link #SWEEP_MILLIS}.
 */
final class Watchdog {
  /** How often the sweeper looks. */
  static final long SWEEP_MILLIS = 10;

  private static final Set<WasmBase> WATCHED = ConcurrentHashMap.newKeySet();

  static {
    Thread sweeper = new Thread(Watchdog::sweep, "proxy-wasm-deadlines");
    sweeper.setDaemon(true);
    sweeper.start();
  }

  private Watchdog() {}

  /** Watches a VM until {@link #forget}; only VMs with a deadline need watching. */
  static void watch(WasmBase wasm) {
    WATCHED.add(wasm);
  }

  static void forget(WasmBase wasm) {
    WATCHED.remove(wasm);
  }

  private static void sweep() {
    while (true) {
      try {
        TimeUnit.MILLISECONDS.sleep(SWEEP_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long now = System.nanoTime();
      for (WasmBase wasm : WATCHED) {
        try {
          wasm.enforceDeadline(now);
        } catch (RuntimeException e) {
          // One misbehaving runtime must not stop the watchdog for every other VM.
          System.getLogger(Watchdog.class.getName())
              .log(System.Logger.Level.ERROR, "stopping a VM past its deadline failed", e);
        }
      }
    }
  }
}

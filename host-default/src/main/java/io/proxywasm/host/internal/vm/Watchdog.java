package io.proxywasm.host.internal.vm;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces call deadlines on real time, whatever scheduler the host uses for ticks. A call into a
 * VM only writes its number into the VM (no clock read, no allocation, no shared lock on the hot
 * path); one daemon thread per host sweeps the VMs that have a deadline, times each call from the
 * first sweep that sees it, and stops the ones past their deadline: never before it, and at most
 * two sweeps ({@code 2 × }{@link #SWEEP_MILLIS}, 10 ms) after it.
 *
 * <p>The host owns it: the thread starts when the first VM is watched, ends when the last one is
 * forgotten, and {@link #close()} ends it for good with the host. A host whose VMs have no deadline
 * never starts it.
 */
public final class Watchdog implements AutoCloseable {
  /**
   * How often the sweeper looks: half of the 10 ms by which a call may overrun its deadline, as a
   * call may have started up to one sweep before the first sweep that sees it.
   */
  static final long SWEEP_MILLIS = 5;

  /** The name of the sweeper thread. */
  public static final String THREAD_NAME = "proxy-wasm-deadlines";

  private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

  private final Set<WasmBase> watched = ConcurrentHashMap.newKeySet();

  /** The running sweeper, or null; guarded by this. */
  private Thread sweeper;

  /** Guarded by this. */
  private boolean closed;

  /** Creates a watchdog with no thread. */
  public Watchdog() {}

  /** Watches a VM until {@link #forget}; only VMs with a deadline need watching. */
  synchronized void watch(WasmBase wasm) {
    if (closed) {
      return; // the host is closing: the VM is closed with it
    }
    watched.add(wasm);
    if (sweeper == null) {
      sweeper = new Thread(this::sweep, THREAD_NAME);
      sweeper.setDaemon(true);
      sweeper.start();
    }
  }

  /** Stops watching a VM; the thread ends with the last one. */
  void forget(WasmBase wasm) {
    Thread idle;
    synchronized (this) {
      if (!watched.remove(wasm) || !watched.isEmpty()) {
        return;
      }
      idle = sweeper;
      sweeper = null;
    }
    stop(idle);
  }

  /**
   * Whether the sweeper thread runs.
   *
   * @return true while some VM is watched
   */
  public synchronized boolean running() {
    return sweeper != null;
  }

  /**
   * Returns the sweeper thread.
   *
   * @return the thread, or null while nothing is watched
   */
  public synchronized Thread thread() {
    return sweeper;
  }

  /** Ends the thread for good; VMs watched from now on are not. Idempotent. */
  @Override
  public void close() {
    Thread last;
    synchronized (this) {
      closed = true;
      watched.clear();
      last = sweeper;
      sweeper = null;
    }
    stop(last);
  }

  /** How long stopping waits for a sweeper busy stopping a VM. */
  private static final long STOP_WAIT_MILLIS = 1_000;

  /**
   * Wakes a sweeper that is no longer the current one, so that it ends, and waits for it (unless it
   * is this thread). Its sleep is a park, not an interruptible wait, so that no interrupt reaches a
   * runtime it is stopping.
   */
  private static void stop(Thread thread) {
    if (thread == null || thread == Thread.currentThread()) {
      return;
    }
    LockSupport.unpark(thread);
    boolean interrupted = false;
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MILLIS);
    while (thread.isAlive() && until - System.nanoTime() > 0) {
      try {
        thread.join(STOP_WAIT_MILLIS);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized boolean current() {
    return sweeper == Thread.currentThread();
  }

  private void sweep() {
    while (current()) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SWEEP_MILLIS));
      if (!current()) {
        return;
      }
      long now = System.nanoTime();
      for (WasmBase wasm : watched) {
        try {
          wasm.calls().enforceDeadline(now);
        } catch (RuntimeException e) {
          // One misbehaving runtime must not stop the watchdog for every other VM.
          LOG.error("stopping a VM past its deadline failed", e);
        }
      }
    }
  }
}

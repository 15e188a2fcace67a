package io.proxywasm.gateway;

import io.proxywasm.host.Plugin;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One generation of a listener's plugin: streams acquire it when they start and release it when
 * they end. A reload retires it; the last stream to release a retired generation closes the plugin,
 * so in-flight requests finish on the plugin they started with.
 */
final class LivePlugin {
  final Plugin plugin;
  final int generation;
  final boolean owned;

  /** Streams in flight, or -1 once closed. */
  private final AtomicInteger inFlight = new AtomicInteger();

  private volatile boolean retired;
  final AtomicLong failures = new AtomicLong();
  final AtomicReference<String> lastFailure = new AtomicReference<>("");

  LivePlugin(Plugin plugin, int generation, boolean owned) {
    this.plugin = plugin;
    this.generation = generation;
    this.owned = owned;
  }

  /** Takes a reference for a stream; false if this generation is already closed. */
  boolean acquire() {
    while (true) {
      int n = inFlight.get();
      if (n < 0) {
        return false;
      }
      if (inFlight.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Drops a stream's reference, closing a retired generation when it was the last. */
  void release() {
    if (inFlight.decrementAndGet() == 0 && retired) {
      closeIfIdle();
    }
  }

  /** Marks this generation as replaced; it closes once no stream uses it. */
  void retire() {
    retired = true;
    closeIfIdle();
  }

  private void closeIfIdle() {
    if (inFlight.compareAndSet(0, -1) && owned) {
      plugin.close();
    }
  }

  int inFlight() {
    return Math.max(0, inFlight.get());
  }

  boolean isClosed() {
    return inFlight.get() < 0;
  }

  /** Acquires the current generation of a listener, retrying across a concurrent reload. */
  static LivePlugin acquire(AtomicReference<LivePlugin> ref) {
    while (true) {
      LivePlugin p = ref.get();
      if (p == null || p.acquire()) {
        return p;
      }
    }
  }
}

package io.proxywasm.gateway;

import io.proxywasm.host.Plugin;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One generation of a listener's wasm filters, in their configured order: streams acquire it when
 * they start and release it when they end. A reload retires it; the last stream to release a
 * retired generation closes its plugins, so in-flight requests finish on the plugins they started
 * with.
 */
final class LivePlugin {
  final List<Plugin> plugins;
  final int generation;
  final boolean owned;

  /** Streams in flight, or -1 once closed. */
  private final AtomicInteger inFlight = new AtomicInteger();

  private volatile boolean retired;
  final AtomicLongArray failures;
  final AtomicReferenceArray<String> lastFailure;

  LivePlugin(List<Plugin> plugins, int generation, boolean owned) {
    this.plugins = List.copyOf(plugins);
    this.generation = generation;
    this.owned = owned;
    this.failures = new AtomicLongArray(plugins.size());
    this.lastFailure = new AtomicReferenceArray<>(plugins.size());
    for (int i = 0; i < plugins.size(); i++) {
      lastFailure.set(i, "");
    }
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
      plugins.forEach(Plugin::close);
    }
  }

  int inFlight() {
    return Math.max(0, inFlight.get());
  }

  boolean isClosed() {
    return inFlight.get() < 0;
  }

  /** Acquires the current generation of a listener, retrying across a concurrent reload. */
  static LivePlugin acquire(java.util.concurrent.atomic.AtomicReference<LivePlugin> ref) {
    while (true) {
      LivePlugin p = ref.get();
      if (p == null || p.acquire()) {
        return p;
      }
    }
  }
}

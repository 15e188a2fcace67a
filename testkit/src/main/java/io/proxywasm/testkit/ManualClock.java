package io.proxywasm.testkit;

import io.proxywasm.host.HostClock;
import java.time.Duration;
import java.time.Instant;

/** A {@link HostClock} the test sets and moves. Thread-safe. */
public final class ManualClock implements HostClock {
  private long realtime;
  private long monotonic;

  /**
   * Creates a clock.
   *
   * @param now the wall-clock time it starts at
   */
  public ManualClock(Instant now) {
    this.realtime = now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  @Override
  public synchronized long realtimeNanos() {
    return realtime;
  }

  @Override
  public synchronized long monotonicNanos() {
    return monotonic;
  }

  /**
   * Moves both clocks forward.
   *
   * @param by how far
   */
  public synchronized void advance(Duration by) {
    realtime += by.toNanos();
    monotonic += by.toNanos();
  }
}

package io.proxywasm.host;

import java.time.Instant;

/** {@link HostClock#SYSTEM}: the system's wall clock, carried forward by the monotonic one. */
final class SystemClock implements HostClock {
  /** How long a reading of the wall clock is carried forward before the next one. */
  private static final long RESYNC_NANOS = 1_000_000_000L;

  /** A reading of both clocks at one moment. */
  private record Anchor(long wallNanos, long monotonicNanos) {
    static Anchor now() {
      Instant wall = Instant.now();
      return new Anchor(wall.getEpochSecond() * 1_000_000_000L + wall.getNano(), System.nanoTime());
    }
  }

  private volatile Anchor anchor = Anchor.now();

  @Override
  public long realtimeNanos() {
    long monotonic = System.nanoTime();
    Anchor a = anchor;
    if (monotonic - a.monotonicNanos() >= RESYNC_NANOS) {
      a = Anchor.now();
      anchor = a;
    }
    return a.wallNanos() + (monotonic - a.monotonicNanos());
  }

  @Override
  public long monotonicNanos() {
    return System.nanoTime();
  }
}

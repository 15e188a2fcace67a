package io.proxywasm.host;

/** The time plugins see; replaceable so tests can control it. Must be thread-safe. */
public interface HostClock {
  /** The system clock. */
  HostClock SYSTEM =
      new HostClock() {
        @Override
        public long realtimeNanos() {
          java.time.Instant now = java.time.Instant.now();
          return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        @Override
        public long monotonicNanos() {
          return System.nanoTime();
        }
      };

  /**
   * Returns wall-clock time: nanoseconds since the Unix epoch.
   *
   * @return the time
   */
  long realtimeNanos();

  /**
   * Returns monotonic time in nanoseconds from an arbitrary origin.
   *
   * @return the time
   */
  long monotonicNanos();
}

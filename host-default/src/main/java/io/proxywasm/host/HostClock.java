package io.proxywasm.host;

/** The time plugins see; replaceable so tests can control it. Must be thread-safe. */
public interface HostClock {
  /**
   * The system clock. Wall-clock time is read from {@link java.time.Instant#now()} at most once a
   * second and carried forward with {@link System#nanoTime()} in between, so that a plugin reading
   * the time (as most do on every request) costs no allocation; it follows the system clock's
   * adjustments within a second.
   */
  HostClock SYSTEM = new SystemClock();

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

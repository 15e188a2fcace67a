package io.proxywasm.testkit;

import io.proxywasm.host.HostClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A {@link HostClock} the test sets and moves. Thread-safe.
 *
 * <p>Like a real machine's clocks, the two readings have different origins: wall-clock time starts
 * at a plausible date ({@link #DEFAULT_START}, or the one given), and monotonic time starts at a
 * plausible uptime ({@link #DEFAULT_UPTIME}, or the one given), never at zero: some runtimes (Go's)
 * trap at start-up when the monotonic clock reads 0. {@link #advance} moves both by the same
 * amount; besides, each monotonic reading is one nanosecond after the last, as a real monotonic
 * clock never reads the same twice (Go's runtime waits at start-up for it to move).
 */
public final class ManualClock implements HostClock {
  /** Where wall-clock time starts unless told otherwise: 2026-01-01T00:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  /**
   * What the monotonic clock reads at the start unless told otherwise: 3 hours, 25 minutes and 45
   * seconds, as on a machine that booted a while ago.
   */
  public static final Duration DEFAULT_UPTIME = Duration.ofSeconds(3 * 3600 + 25 * 60 + 45);

  private long realtime;
  private long monotonic;

  /** Creates a clock at {@link #DEFAULT_START} with {@link #DEFAULT_UPTIME} of monotonic time. */
  public ManualClock() {
    this(DEFAULT_START, DEFAULT_UPTIME);
  }

  /**
   * Creates a clock at a wall-clock time, with {@link #DEFAULT_UPTIME} of monotonic time.
   *
   * @param now the wall-clock time it starts at; after the Unix epoch
   */
  public ManualClock(Instant now) {
    this(now, DEFAULT_UPTIME);
  }

  /**
   * Creates a clock at a wall-clock time and a monotonic reading.
   *
   * @param now the wall-clock time it starts at; after the Unix epoch
   * @param uptime what the monotonic clock reads at the start; positive
   * @throws IllegalArgumentException if either would read zero or less
   */
  public ManualClock(Instant now, Duration uptime) {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(uptime, "uptime");
    if (!now.isAfter(Instant.EPOCH)) {
      throw new IllegalArgumentException(
          "the wall clock must start after the Unix epoch, not at " + now);
    }
    if (uptime.isNegative() || uptime.isZero()) {
      throw new IllegalArgumentException(
          "the monotonic clock must start above zero (some runtimes trap on 0), not at " + uptime);
    }
    this.realtime = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    this.monotonic = uptime.toNanos();
  }

  @Override
  public synchronized long realtimeNanos() {
    return realtime;
  }

  @Override
  public synchronized long monotonicNanos() {
    // A real monotonic clock never reads the same twice in a row: runtimes that wait for it to
    // move (Go's, at start-up) would spin for ever on a clock that stands still. Each reading is
    // one nanosecond after the one before, on top of the time the test moved it by.
    return ++monotonic;
  }

  /**
   * Returns the wall-clock time.
   *
   * @return the instant
   */
  public synchronized Instant now() {
    return Instant.ofEpochSecond(0, realtime);
  }

  /**
   * Moves both clocks forward by the same amount.
   *
   * @param by how far; not negative
   */
  public synchronized void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("time only moves forward, not by " + by);
    }
    realtime += by.toNanos();
    monotonic += by.toNanos();
  }
}

package io.proxywasm.host;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The system clock plugins read is the wall clock, to well within the second it is carried. */
class SystemClockTest {
  private static long nanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  @Test
  void readsTheWallClock() {
    for (int i = 0; i < 1000; i++) {
      long before = nanos(Instant.now());
      long read = HostClock.SYSTEM.realtimeNanos();
      long after = nanos(Instant.now());
      // carried forward by the monotonic clock, it may differ from the wall clock by the wall
      // clock's adjustments within a second, never by more than that
      assertTrue(
          read >= before - 1_000_000_000L && read <= after + 1_000_000_000L, i + ": " + read);
    }
  }
}

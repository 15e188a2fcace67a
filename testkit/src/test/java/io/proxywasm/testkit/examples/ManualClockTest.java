package io.proxywasm.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.testkit.ManualClock;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TestPlugin;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ManualClockTest {
  @Test
  void neitherClockReadsZeroAndTheyHaveTheirOwnOrigins() throws Exception {
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime("chicory")
            .plugin(Path.of("../plugins/wasm/c-hello-world.wasm"))
            .start()) {
      ManualClock clock = plugin.testHost().clock();
      long wall = clock.realtimeNanos();
      long mono = clock.monotonicNanos();
      assertEquals(Instant.parse("2026-01-01T00:00:00Z"), clock.now()); // a plausible date
      // hours of uptime, not 0; each reading is a nanosecond after the last, as a real clock moves
      long uptime = Duration.ofSeconds(12_345).toNanos();
      assertTrue(mono > uptime && mono < uptime + 1_000_000, "monotonic " + mono);
      assertNotEquals(wall, mono); // independent origins

      plugin.advance(Duration.ofSeconds(5)); // both move by the same amount
      assertEquals(wall + 5_000_000_000L, clock.realtimeNanos());
      long moved = clock.monotonicNanos() - mono;
      assertTrue(moved > 5_000_000_000L && moved < 5_001_000_000L, "moved " + moved);
      assertTrue(plugin.logs().messages().contains("It's " + (wall + 5_000_000_000L)));
    }
  }

  @Test
  void aTestPicksItsOwnStart() {
    ManualClock clock = new ManualClock(Instant.ofEpochSecond(1_700_000_000L), Duration.ofDays(3));
    assertEquals(1_700_000_000_000_000_000L, clock.realtimeNanos());
    assertEquals(Duration.ofDays(3).toNanos() + 1, clock.monotonicNanos());
    assertEquals(Duration.ofDays(3).toNanos() + 2, clock.monotonicNanos(), "never the same twice");
  }
}

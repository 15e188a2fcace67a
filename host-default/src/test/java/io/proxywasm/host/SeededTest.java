package io.proxywasm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The property runner and its generators: replayable failures, and edges that come up. */
class SeededTest {

  @Test
  void aFailingTryIsReportedWithItsSeedAndIndexAndDrawsTheSameSampleAgain() {
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () ->
                Seeded.forAll(
                    1000,
                    g -> g.intBetween(0, 1_000_000),
                    x -> assertTrue(x % 97 != 5, "not 5 modulo 97")));
    String message = e.getMessage();
    assertTrue(message.contains("with seed " + Seeded.seed()), message);
    assertTrue(message.contains("-Dproxywasm.fuzz.seed=" + Seeded.seed()), message);
    assertTrue(message.contains("not 5 modulo 97"), message);
    int index =
        Integer.parseInt(message.replaceAll("(?s).*-Dproxywasm\\.fuzz\\.try=(\\d+).*", "$1"));
    int sample = Integer.parseInt(message.replaceAll("(?s).*sample: (\\d+).*", "$1"));
    assertEquals(5, sample % 97, message);
    assertEquals(
        sample,
        new Gen(Seeded.random(Seeded.seed(), index)).intBetween(0, 1_000_000),
        "the seed and the index draw the failing sample again");
  }

  @Test
  void eachTryHasItsOwnNumbers() {
    Set<Long> firsts = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      firsts.add(Seeded.random(Seeded.DEFAULT_SEED, i).nextLong());
    }
    assertEquals(100, firsts.size());
    assertEquals(
        Seeded.random(Seeded.DEFAULT_SEED, 7).nextLong(),
        Seeded.random(Seeded.DEFAULT_SEED, 7).nextLong());
    assertNotEquals(
        Seeded.random(Seeded.DEFAULT_SEED, 7).nextLong(),
        Seeded.random(Seeded.DEFAULT_SEED + 1, 7).nextLong());
  }

  @Test
  void numbersSizesAndBytesReachTheirEdges() {
    Gen g = new Gen(Seeded.random(Seeded.DEFAULT_SEED, 0));
    Set<Integer> ints = new HashSet<>();
    Set<Long> longs = new HashSet<>();
    Set<Integer> lengths = new HashSet<>();
    Set<Byte> bytes = new HashSet<>();
    Set<Integer> sizes = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      int n = g.intBetween(-3, 1_000_000);
      assertTrue(n >= -3 && n <= 1_000_000, "in range: " + n);
      ints.add(n);
      longs.add(g.anyLong());
      byte[] b = g.bytes(40);
      lengths.add(b.length);
      for (byte x : b) {
        bytes.add(x);
      }
      sizes.add(g.list(1, 8, x -> x.oneOf("a", "b")).size());
      long l = g.longBetween(Long.MIN_VALUE, Long.MAX_VALUE);
      longs.add(l);
    }
    assertTrue(ints.containsAll(List.of(-3, -2, -1, 0, 1, 999_999, 1_000_000)), "int edges");
    assertTrue(
        longs.containsAll(List.of(Long.MIN_VALUE, Long.MAX_VALUE, -1L, 0L, 0xFFFF_FFFFL)),
        "long edges");
    assertTrue(lengths.containsAll(List.of(0, 40)), "empty and longest byte arrays");
    assertEquals(256, bytes.size(), "every byte value");
    assertEquals(Set.of(1, 2, 3, 4, 5, 6, 7, 8), sizes, "every list size");
  }
}

package io.proxywasm.host;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;

/**
 * Runs a property over random samples: each try draws a sample with a {@link Gen} seeded from the
 * run's seed and the try's index, and checks the property on it; the first failing try fails the
 * test with the seed, the try's index and the sample, so that it can be run again alone. There is
 * no shrinking: the sample is reported as it was drawn.
 *
 * <p>The build runs each property's own number of tries with the seed {@value #DEFAULT_SEED}, so a
 * run takes a few seconds and repeats exactly. System properties change that:
 *
 * <ul>
 *   <li>{@code proxywasm.fuzz.scale=N}: N times the tries of every property;
 *   <li>{@code proxywasm.fuzz.seed=S}: the seed, a number, or {@code random} for a new one each run
 *       (printed);
 *   <li>{@code proxywasm.fuzz.try=I}: only try I (with its seed, it draws the same sample again).
 * </ul>
 */
public final class Seeded {
  /** The seed of the build's runs. */
  public static final long DEFAULT_SEED = 20261202L;

  /** A property of a sample: it returns when it holds, and throws when it does not. */
  @FunctionalInterface
  public interface Property<T> {
    /** Checks the property on {@code sample}. */
    void check(T sample) throws Exception;
  }

  private Seeded() {}

  /** The seed of this run. */
  public static long seed() {
    return SEED;
  }

  private static final long SEED = readSeed();

  private static long readSeed() {
    String seed = System.getProperty("proxywasm.fuzz.seed", "").trim();
    if (seed.isEmpty()) {
      return DEFAULT_SEED;
    }
    if (seed.equals("random")) {
      long picked = new SecureRandom().nextLong() >>> 16;
      System.out.println("property tests: seed " + picked);
      return picked;
    }
    try {
      return Long.parseLong(seed);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "proxywasm.fuzz.seed must be a number or \"random\", not \"" + seed + "\"", e);
    }
  }

  /** How many times the build's tries a run makes. */
  public static int scale() {
    int scale = Integer.getInteger("proxywasm.fuzz.scale", 1);
    if (scale < 1) {
      throw new IllegalArgumentException("proxywasm.fuzz.scale must be at least 1, not " + scale);
    }
    return scale;
  }

  /** The random numbers of one try: the same seed and index always give the same ones. */
  public static Random random(long seed, int index) {
    long z = seed + (index + 1L) * 0x9E37_79B9_7F4A_7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
    return new Random(z ^ (z >>> 31));
  }

  /**
   * Checks {@code property} on {@code tries} (times the scale) samples drawn by {@code generator},
   * or on the one try {@code proxywasm.fuzz.try} names; returns the number of tries made.
   */
  public static <T> int forAll(int tries, Function<Gen, T> generator, Property<T> property) {
    int total = Math.multiplyExact(tries, scale());
    long seed = seed();
    Integer only = Integer.getInteger("proxywasm.fuzz.try");
    int first = only == null ? 0 : only;
    int end = only == null ? total : only + 1;
    for (int i = first; i < end; i++) {
      T sample = generator.apply(new Gen(random(seed, i)));
      try {
        property.check(sample);
      } catch (Throwable e) {
        throw new AssertionError(
            "the property fails on try "
                + i
                + " of "
                + total
                + " with seed "
                + seed
                + " (again alone: -Dproxywasm.fuzz.seed="
                + seed
                + " -Dproxywasm.fuzz.try="
                + i
                + "): "
                + e.getMessage()
                + "\n  sample: "
                + describe(sample),
            e);
      }
    }
    return end - first;
  }

  /** A sample in words: byte arrays as their bytes. */
  static String describe(Object sample) {
    return sample instanceof byte[] b ? Arrays.toString(b) : String.valueOf(sample);
  }
}

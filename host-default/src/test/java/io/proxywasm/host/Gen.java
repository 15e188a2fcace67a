package io.proxywasm.host;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Random values for the property tests, from a {@link Random} that {@link Seeded} seeds for each
 * try. Numbers, sizes and bytes lean to their edges: about one value in eight is one of them (the
 * bounds of its range, 0 and -1 when in range, the extremes of its type), so that a few hundred
 * tries meet them all.
 */
public final class Gen {
  /** How often, one time in this many, a number or a size is an edge rather than any value. */
  private static final int EDGE_ONE_IN = 8;

  private final Random random;

  /** Values drawn from {@code random}. */
  public Gen(Random random) {
    this.random = random;
  }

  /** The random numbers behind the values. */
  public Random random() {
    return random;
  }

  /** A number from {@code min} to {@code max}, both included, edges included more often. */
  public int intBetween(int min, int max) {
    return (int) longBetween(min, max);
  }

  /** A number from {@code min} to {@code max}, both included, edges included more often. */
  public long longBetween(long min, long max) {
    if (min > max) {
      throw new IllegalArgumentException("an empty range: " + min + " to " + max);
    }
    if (random.nextInt(EDGE_ONE_IN) == 0) {
      List<Long> edges = new ArrayList<>(List.of(min, max));
      if (min < max) {
        edges.add(min + 1);
        edges.add(max - 1);
      }
      for (long e : new long[] {0, -1, 1}) {
        if (e >= min && e <= max) {
          edges.add(e);
        }
      }
      return edges.get(random.nextInt(edges.size()));
    }
    if (max - min >= 0 && max - min < Long.MAX_VALUE) {
      return min + nextLong(max - min + 1);
    }
    long value;
    do {
      value = random.nextLong();
    } while (value < min || value > max);
    return value;
  }

  /** Any 64-bit value, its edges and those of 32 bits more often. */
  public long anyLong() {
    if (random.nextInt(EDGE_ONE_IN) == 0) {
      return oneOf(
          0L,
          1L,
          -1L,
          Long.MIN_VALUE,
          Long.MAX_VALUE,
          (long) Integer.MIN_VALUE,
          (long) Integer.MAX_VALUE,
          0xFFFF_FFFFL,
          0x1_0000_0000L);
    }
    return random.nextLong();
  }

  /** Any byte, 0, -1, 1 and the extremes more often. */
  public byte anyByte() {
    return (byte) intBetween(Byte.MIN_VALUE, Byte.MAX_VALUE);
  }

  /** A size from {@code min} to {@code max}, both included, the bounds more often. */
  public int size(int min, int max) {
    return intBetween(min, max);
  }

  /** Up to {@code maxLength} bytes, any of them. */
  public byte[] bytes(int maxLength) {
    byte[] out = new byte[size(0, maxLength)];
    for (int i = 0; i < out.length; i++) {
      out[i] = anyByte();
    }
    return out;
  }

  /**
   * Up to {@code maxLength} characters from {@code \0} to {@code \u00ff}: a string of any bytes
   * read as ISO-8859-1.
   */
  public String byteString(int maxLength) {
    return new String(bytes(maxLength), StandardCharsets.ISO_8859_1);
  }

  /** One of {@code choices}, each as likely. */
  @SafeVarargs
  public final <T> T oneOf(T... choices) {
    return choices[random.nextInt(choices.length)];
  }

  /** One of {@code choices}, each as likely. */
  public <T> T oneOf(List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }

  /** One of an enum's constants, each as likely. */
  public <E extends Enum<E>> E oneOf(Class<E> type) {
    return oneOf(type.getEnumConstants());
  }

  /** An index into {@code weights}, each as likely as its weight. */
  public int weighted(int... weights) {
    int total = Arrays.stream(weights).sum();
    int pick = random.nextInt(total);
    for (int i = 0; i < weights.length; i++) {
      pick -= weights[i];
      if (pick < 0) {
        return i;
      }
    }
    throw new AssertionError("weights " + Arrays.toString(weights));
  }

  /** {@code min} to {@code max} elements, the sizes at the bounds more often. */
  public <T> List<T> list(int min, int max, Function<Gen, T> element) {
    int n = size(min, max);
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(element.apply(this));
    }
    return out;
  }

  private long nextLong(long bound) {
    if (bound <= Integer.MAX_VALUE) {
      return random.nextInt((int) bound);
    }
    long r;
    long m = bound - 1;
    long u = random.nextLong() >>> 1;
    while (u + m - (r = u % bound) < 0L) {
      u = random.nextLong() >>> 1;
    }
    return r;
  }
}

package io.proxywasm.host.internal.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.Gen;
import io.proxywasm.host.Seeded;
import io.proxywasm.spi.Header;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pairs codec and property paths on any bytes: decoding never throws anything but a message in
 * words, what decodes encodes back to the same bytes, and a path splits and joins back. The samples
 * are drawn by {@link Seeded} (seed, tries and replay of one try in its documentation).
 */
class PairsPropertiesTest {

  /** Up to 20 pairs of strings of up to 20 bytes each. */
  static List<Header> pairList(Gen g) {
    return g.list(0, 20, x -> Header.of(x.byteString(20), x.byteString(20)));
  }

  /** Random bytes, and valid pairs buffers with a byte changed, cut or added, each as likely. */
  static byte[] buffer(Gen g) {
    if (g.weighted(1, 1) == 0) {
      return g.bytes(200);
    }
    byte[] b = Pairs.encode(pairList(g));
    int i = g.intBetween(0, 1000) % (b.length + 1);
    byte value = g.anyByte();
    switch (g.intBetween(0, 2)) {
      case 0:
        if (i < b.length) {
          b[i] = value;
        }
        return b;
      case 1:
        return Arrays.copyOf(b, i);
      default:
        byte[] longer = Arrays.copyOf(b, b.length + 1);
        longer[b.length] = value;
        return longer;
    }
  }

  @Test
  void decodingAnyBytesAnswersPairsOrAMessage() {
    Seeded.forAll(500, PairsPropertiesTest::buffer, PairsPropertiesTest::decodesOrSaysWhy);
  }

  private static void decodesOrSaysWhy(byte[] data) {
    List<Header> lenient = Pairs.decode(data);
    try {
      List<Header> strict = Pairs.decodeStrict(data);
      assertEquals(strict, lenient, "lenient and strict agree on a good buffer");
      if (data.length > 1) {
        assertArrayEquals(data, Pairs.encode(strict), "a good buffer encodes back to itself");
      }
    } catch (IllegalArgumentException e) {
      assertEquals(List.of(), lenient, "a malformed buffer decodes leniently to nothing");
      assertFalse(e.getMessage().isBlank());
      assertFalse(e.getMessage().contains("Exception"), e.getMessage());
    }
  }

  @Test
  void pairsRoundTrip() {
    Seeded.forAll(300, PairsPropertiesTest::pairList, PairsPropertiesTest::roundTrips);
  }

  private static void roundTrips(List<Header> pairs) {
    byte[] encoded = Pairs.encode(pairs);
    assertEquals(Pairs.encodedSize(pairs), encoded.length);
    byte[] into = new byte[encoded.length + 3];
    assertEquals(encoded.length, Pairs.encodeInto(pairs, into, 3), "bytes written");
    assertArrayEquals(encoded, Arrays.copyOfRange(into, 3, into.length));
    assertEquals(pairs, Pairs.decodeStrict(encoded));
  }

  @Test
  void aPathSplitsAndJoinsBack() {
    Seeded.forAll(500, g -> g.bytes(40), PairsPropertiesTest::splitsAndJoinsBack);
  }

  private static void splitsAndJoinsBack(byte[] path) {
    List<String> segments = Pairs.splitPath(path);
    for (String segment : segments) {
      assertFalse(segment.contains("\0"), "a segment has no NUL");
    }
    byte[] joined = Pairs.joinPath(segments);
    boolean trailingNul = path.length > 0 && path[path.length - 1] == 0;
    assertArrayEquals(
        trailingNul ? Arrays.copyOf(path, path.length - 1) : path,
        joined,
        "a NUL ends the last segment without starting an empty one");
    assertTrue(segments.size() <= path.length);
  }
}

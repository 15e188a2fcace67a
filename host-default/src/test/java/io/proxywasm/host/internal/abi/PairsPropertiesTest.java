package io.proxywasm.host.internal.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.Gen;
import io.proxywasm.host.HeaderMap;
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

  /** A map of up to 8 names over a few letters of both cases, and a name to look up in it. */
  record Lookup(HeaderMap map, byte[] name) {}

  static Lookup lookup(Gen g) {
    List<String> names = g.list(0, 8, x -> fewLetters(x));
    HeaderMap map = new HeaderMap();
    for (String n : names) {
      map.add(n, x(n));
    }
    String probe = names.isEmpty() || g.weighted(1, 2) == 0 ? fewLetters(g) : g.oneOf(names);
    // the plugin may write the name in any case, and any byte
    StringBuilder cased = new StringBuilder();
    for (int i = 0; i < probe.length(); i++) {
      char c = probe.charAt(i);
      cased.append(g.weighted(1, 1) == 0 ? Character.toUpperCase(c) : c);
    }
    byte[] name = new byte[cased.length() + g.intBetween(0, 3)];
    Pairs.putBytes(cased.toString(), name, 0);
    return new Lookup(map, name);
  }

  /** A short name over {@code a}, {@code B}, {@code -}, {@code \u00e9} and a byte of any value. */
  private static String fewLetters(Gen g) {
    StringBuilder b = new StringBuilder();
    int n = g.intBetween(0, 4);
    for (int i = 0; i < n; i++) {
      b.append(g.oneOf('a', 'B', '-', '\u00e9', (char) (g.anyByte() & 0xFF)));
    }
    return b.toString();
  }

  private static String x(String s) {
    return "v" + s;
  }

  @Test
  void aNameFoundAsBytesIsTheOneFoundAsAString() {
    Seeded.forAll(
        500,
        PairsPropertiesTest::lookup,
        l -> {
          int length = l.name().length > 0 ? l.name().length - (l.name().length % 2) : 0;
          for (int len : new int[] {length, l.name().length}) {
            assertEquals(
                l.map().indexOf(Pairs.bytesToString(l.name(), 0, len)),
                Pairs.indexOf(l.map(), l.name(), len),
                "lookup of the first " + len + " bytes");
          }
        });
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

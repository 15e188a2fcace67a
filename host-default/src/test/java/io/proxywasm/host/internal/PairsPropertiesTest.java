package io.proxywasm.host.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.FuzzBudget;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * The pairs codec and property paths on any bytes: decoding never throws anything but a message in
 * words, what decodes encodes back to the same bytes, and a path splits and joins back.
 */
@AddLifecycleHook(FuzzBudget.class)
class PairsPropertiesTest {

  @Provide
  Arbitrary<String> byteStrings() {
    return Arbitraries.strings().withCharRange('\0', '\u00ff').ofMaxLength(20);
  }

  @Provide
  Arbitrary<List<Map.Entry<String, String>>> pairLists() {
    return Combinators.combine(byteStrings(), byteStrings()).as(Map::entry).list().ofMaxSize(20);
  }

  /** Random bytes, and valid pairs buffers with a byte changed, cut or added. */
  @Provide
  Arbitrary<byte[]> buffers() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    Arbitrary<byte[]> mutated =
        Combinators.combine(
                pairLists().map(Pairs::encode),
                Arbitraries.integers().between(0, 1000),
                Arbitraries.bytes(),
                Arbitraries.integers().between(0, 2))
            .as(
                (b, at, value, how) -> {
                  int i = at % (b.length + 1);
                  switch (how) {
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
                });
    return Arbitraries.oneOf(random, mutated);
  }

  @Property(tries = 500, seed = "20261202")
  void decodingAnyBytesAnswersPairsOrAMessage(@ForAll("buffers") byte[] data) {
    List<Map.Entry<String, String>> lenient = Pairs.decode(data);
    try {
      List<Map.Entry<String, String>> strict = Pairs.decodeStrict(data);
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

  @Property(tries = 300, seed = "20261202")
  void pairsRoundTrip(@ForAll("pairLists") List<Map.Entry<String, String>> pairs) {
    byte[] encoded = Pairs.encode(pairs);
    assertEquals(Pairs.encodedSize(pairs), encoded.length);
    byte[] into = new byte[encoded.length + 3];
    assertEquals(encoded.length, Pairs.encodeInto(pairs, into, 3), "bytes written");
    assertArrayEquals(encoded, Arrays.copyOfRange(into, 3, into.length));
    assertEquals(pairs, Pairs.decodeStrict(encoded));
  }

  @Property(tries = 500, seed = "20261202")
  void aPathSplitsAndJoinsBack(@ForAll @Size(max = 40) byte[] path) {
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

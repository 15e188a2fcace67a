package io.proxywasm.host.internal.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.Header;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pairs format: exact bytes, round trips and every malformed shape. */
class PairsTest {

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  /** Builds a buffer: count, then (key size, value size) pairs, then raw data. */
  private static byte[] raw(long count, long[] sizes, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * sizes.length + data.length);
    b.order(ByteOrder.LITTLE_ENDIAN).putInt((int) count);
    for (long s : sizes) {
      b.putInt((int) s);
    }
    b.put(data);
    return b.array();
  }

  @Test
  void referenceExampleByteForByte() {
    byte[] expected =
        bytes(
            2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0x61, 0, 0x31, 0, 0x62, 0,
            0x32, 0x32, 0);
    List<Header> pairs = List.of(Header.of("a", "1"), Header.of("b", "22"));
    assertEquals(29, Pairs.encodedSize(pairs));
    assertArrayEquals(expected, Pairs.encode(pairs));
    assertEquals(pairs, Pairs.decode(expected));
  }

  @Test
  void roundTrips() {
    List<List<Header>> cases = new ArrayList<>();
    cases.add(List.of());
    cases.add(List.of(Header.of(":path", "/")));
    cases.add(List.of(Header.of("", ""), Header.of("k", ""), Header.of("", "v")));
    // bytes as chars: UTF-8 "é" is the two chars \u00c3\u00a9, and 0xFF is \u00ff
    cases.add(
        List.of(
            Header.of("\u00c3\u00a9", "\u00ff\u0080 x"), Header.of("a", "b"), Header.of("a", "c")));
    List<Header> many = new ArrayList<>();
    for (int i = 0; i < Pairs.MAX_COUNT; i++) {
      many.add(Header.of("header-" + i, "value-" + i));
    }
    cases.add(many);
    for (List<Header> pairs : cases) {
      byte[] encoded = Pairs.encode(pairs);
      assertEquals(Pairs.encodedSize(pairs), encoded.length);
      assertEquals(pairs, Pairs.decodeStrict(encoded));
      byte[] offset = new byte[encoded.length + 3];
      assertEquals(encoded.length, Pairs.encodeInto(pairs, offset, 3));
      assertArrayEquals(encoded, java.util.Arrays.copyOfRange(offset, 3, offset.length));
    }
  }

  @Test
  void tinyBuffersAreEmpty() {
    assertEquals(List.of(), Pairs.decode(new byte[0]));
    assertEquals(List.of(), Pairs.decode(new byte[1]));
    assertEquals(List.of(), Pairs.decodeStrict(new byte[] {5}));
  }

  @Test
  void everyMalformedShapeDecodesToEmptyAndSaysWhy() {
    Object[][] cases = {
      {bytes(1, 0, 0), "has no count"},
      {raw(1, new long[] {}, new byte[0]), "too short for 1 sizes"},
      {raw(1025, new long[] {}, new byte[0]), "count 1025 is over the limit of 1024"},
      {raw(0xFFFF_FFFFL, new long[] {}, new byte[0]), "count 4294967295 is over the limit"},
      {raw(1, new long[] {5, 1}, bytes('a', 0, 'b', 0)), "key of 5 bytes runs past the buffer"},
      {raw(1, new long[] {1, 5}, bytes('a', 0, 'b', 0)), "value of 5 bytes runs past"},
      {raw(1, new long[] {1, 1}, bytes('a', 'x', 'b', 0)), "key is not followed by a NUL"},
      {raw(1, new long[] {1, 1}, bytes('a', 0, 'b', 'x')), "value is not followed by a NUL"},
      {raw(1, new long[] {1, 1}, bytes('a', 0, 'b', 0, 0)), "1 trailing bytes"},
      {raw(1, new long[] {0xFFFF_FFFFL, 0}, bytes(0, 0)), "runs past the buffer"},
      {new byte[Pairs.MAX_BYTES + 1], "over the limit of 1048576"},
    };
    for (Object[] c : cases) {
      byte[] data = (byte[]) c[0];
      assertEquals(List.of(), Pairs.decode(data), (String) c[1]);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Pairs.decodeStrict(data));
      assertTrue(e.getMessage().contains((String) c[1]), e.getMessage());
    }
  }

  @Test
  void propertyPaths() {
    assertEquals(List.of(), Pairs.splitPath(new byte[0]));
    assertEquals(List.of("request", "path"), Pairs.splitPath("request\0path".getBytes()));
    // the C++ SDK ends the last segment with a NUL too: Envoy ends the path there
    assertEquals(List.of("a"), Pairs.splitPath("a\0".getBytes()));
    assertEquals(List.of("request", "path"), Pairs.splitPath("request\0path\0".getBytes()));
    assertEquals(List.of("a", "", "b"), Pairs.splitPath("a\0\0b".getBytes()));
    assertArrayEquals("x\0y\0z".getBytes(), Pairs.joinPath(List.of("x", "y", "z")));
    assertEquals(List.of("plugin_name"), Pairs.splitPath(Pairs.joinPath(List.of("plugin_name"))));
    // segments are bytes: 0xFF stays 0xFF
    byte[] raw = {'k', (byte) 0xFF, 0, (byte) 0xC3, (byte) 0xA9};
    assertArrayEquals(raw, Pairs.joinPath(Pairs.splitPath(raw)));
  }

  @Test
  void headerMapsAreBytesAndEveryByteRoundTrips() {
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    String everyByte = Pairs.bytesToString(all, 1, 255); // a NUL ends a value: leave it out
    List<String> samples = List.of("", "ascii", everyByte, Pairs.bytesToString(all, 0xC3, 2));
    io.proxywasm.host.HeaderMap map = new io.proxywasm.host.HeaderMap();
    List<Header> entries = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      map.add("k" + i, samples.get(i));
      entries.add(Header.of("k" + i, samples.get(i)));
    }
    byte[] reference = legacyEncode(entries);
    int size = Pairs.encodedSize(map.view());
    assertEquals(reference.length, size);
    byte[] target = new byte[size + 3];
    assertEquals(size, Pairs.encodeInto(map.view(), target, 3));
    assertArrayEquals(reference, java.util.Arrays.copyOfRange(target, 3, target.length));
    assertArrayEquals(reference, Pairs.encode(entries));
    assertEquals(entries, Pairs.decode(reference));
    // a char no plugin can have written (over U+00FF) travels as '?'
    assertArrayEquals(
        Pairs.encode(List.of(Header.of("k", "?"))),
        Pairs.encode(List.of(Header.of("k", "\u20ac"))));
  }

  /** The format, written with String.getBytes: the reference the in-place encoder must match. */
  private static byte[] legacyEncode(List<Header> entries) {
    java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
    ByteBuffer sizes = ByteBuffer.allocate(4 + 8 * entries.size()).order(ByteOrder.LITTLE_ENDIAN);
    sizes.putInt(entries.size());
    for (Header e : entries) {
      byte[] k = e.name().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      byte[] v = e.value().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      sizes.putInt(k.length).putInt(v.length);
      data.writeBytes(k);
      data.write(0);
      data.writeBytes(v);
      data.write(0);
    }
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    all.writeBytes(sizes.array());
    all.writeBytes(data.toByteArray());
    return all.toByteArray();
  }
}

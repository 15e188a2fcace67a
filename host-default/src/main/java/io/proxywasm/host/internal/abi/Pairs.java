package io.proxywasm.host.internal.abi;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.spi.Header;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The header-map ("pairs") format of the ABI, and property paths.
 *
 * <pre>
 * u32 N | N x (u32 key_len, u32 value_len) | N x (key bytes, 0, value bytes, 0)
 * </pre>
 *
 * All integers are little-endian. Decoding is strict, as cpp-host's: a malformed buffer decodes to
 * an empty list.
 */
public final class Pairs {
  /** The largest buffer that decodes: 1 MiB. */
  public static final int MAX_BYTES = 1 << 20;

  /** The most pairs that decode: 1024. */
  public static final int MAX_COUNT = 1024;

  private Pairs() {}

  /**
   * Returns the encoded size of the pairs.
   *
   * @param pairs the pairs
   * @return the size in bytes
   */
  public static int encodedSize(List<Header> pairs) {
    long size = 4;
    for (int i = 0; i < pairs.size(); i++) { // by index: no iterator on the request path
      Header e = pairs.get(i);
      size += 8 + byteLength(e.name()) + 1 + byteLength(e.value()) + 1;
    }
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("header map too large to encode: " + size + " bytes");
    }
    return (int) size;
  }

  /**
   * Encodes pairs.
   *
   * @param pairs the pairs, in order
   * @return the encoded bytes
   */
  public static byte[] encode(List<Header> pairs) {
    byte[] out = new byte[encodedSize(pairs)];
    encodeInto(pairs, out, 0);
    return out;
  }

  /**
   * Encodes pairs into an array.
   *
   * @param pairs the pairs
   * @param target where to write; needs {@link #encodedSize} bytes from {@code offset}
   * @param offset the first index
   * @return the number of bytes written
   */
  public static int encodeInto(List<Header> pairs, byte[] target, int offset) {
    int n = pairs.size();
    putInt(target, offset, n);
    int sizes = offset + 4;
    int data = sizes + 8 * n;
    for (int i = 0; i < n; i++) {
      Header e = pairs.get(i);
      int keyStart = data;
      data = putBytes(e.name(), target, data);
      putInt(target, sizes, data - keyStart);
      target[data++] = 0;
      int valueStart = data;
      data = putBytes(e.value(), target, data);
      putInt(target, sizes + 4, data - valueStart);
      target[data++] = 0;
      sizes += 8;
    }
    return data - offset;
  }

  /**
   * Decodes pairs as cpp-host does: a malformed buffer gives an empty list.
   *
   * @param data the buffer
   * @return the pairs, or an empty list
   */
  public static List<Header> decode(byte[] data) {
    try {
      return decodeStrict(data);
    } catch (IllegalArgumentException e) {
      return List.of();
    }
  }

  /**
   * Decodes pairs, saying what is malformed.
   *
   * @param data the buffer
   * @return the pairs
   * @throws IllegalArgumentException naming what is wrong
   */
  public static List<Header> decodeStrict(byte[] data) {
    if (data.length <= 1) {
      return List.of();
    }
    if (data.length > MAX_BYTES) {
      throw new IllegalArgumentException(
          "pairs buffer of " + data.length + " bytes is over the limit of " + MAX_BYTES);
    }
    if (data.length < 4) {
      throw new IllegalArgumentException("pairs buffer of " + data.length + " bytes has no count");
    }
    long n = getUnsigned(data, 0);
    if (n > MAX_COUNT) {
      throw new IllegalArgumentException("pairs count " + n + " is over the limit of " + MAX_COUNT);
    }
    long sizesEnd = 4 + 8 * n;
    if (sizesEnd > data.length) {
      throw new IllegalArgumentException(
          "pairs buffer of " + data.length + " bytes is too short for " + n + " sizes");
    }
    List<Header> out = new ArrayList<>((int) n);
    long pos = sizesEnd;
    for (int i = 0; i < n; i++) {
      long keyLength = getUnsigned(data, 4 + 8 * i);
      long valueLength = getUnsigned(data, 8 + 8 * i);
      String key = string(data, pos, keyLength, i, "key");
      pos += keyLength + 1;
      String value = string(data, pos, valueLength, i, "value");
      pos += valueLength + 1;
      out.add(Header.of(key, value));
    }
    if (pos != data.length) {
      throw new IllegalArgumentException(
          "pairs buffer has " + (data.length - pos) + " trailing bytes");
    }
    return out;
  }

  private static String string(byte[] data, long pos, long length, int index, String what) {
    if (pos + length + 1 > data.length) {
      throw new IllegalArgumentException(
          "pair " + index + ": " + what + " of " + length + " bytes runs past the buffer");
    }
    if (data[(int) (pos + length)] != 0) {
      throw new IllegalArgumentException(
          "pair " + index + ": " + what + " is not followed by a NUL byte");
    }
    return bytesToString(data, (int) pos, (int) length);
  }

  /**
   * Splits a property path into its segments, as Envoy's {@code Context::getProperty} walks it:
   * segments are separated by NUL, and a NUL at the very end ends the path without starting an
   * empty segment (the C++ SDK ends every segment, the last included, with a NUL).
   *
   * @param path the path bytes
   * @return the segments, one char per byte; empty for an empty path
   */
  public static List<String> splitPath(byte[] path) {
    List<String> out = new ArrayList<>();
    int start = 0;
    while (start < path.length) {
      int end = start;
      while (end < path.length && path[end] != 0) {
        end++;
      }
      out.add(bytesToString(path, start, end - start));
      start = end + 1;
    }
    return out;
  }

  /**
   * Joins property path segments with NUL.
   *
   * @param segments the segments
   * @return the path bytes
   */
  public static byte[] joinPath(List<String> segments) {
    return String.join("\0", segments).getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Returns the number of bytes {@link #putBytes} writes for a string: one per char. Header names
   * and values, property paths and shared-data keys are bytes in the ABI; the host carries them in
   * strings with one char per byte (ISO-8859-1), so every byte a plugin writes comes back as it
   * was.
   */
  static int byteLength(String s) {
    return s.length();
  }

  /**
   * Writes a string's chars as bytes (ISO-8859-1) with no allocation, as {@link String#getBytes}
   * would: a char over U+00FF, which no plugin can have written, becomes {@code ?}.
   *
   * @return the index after the last byte written
   */
  static int putBytes(String s, byte[] b, int at) {
    int n = s.length();
    // one bounds check for the whole string instead of one per byte
    java.util.Objects.checkFromIndexSize(at, n, b.length);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      b[at + i] = c <= 0xFF ? (byte) c : (byte) '?';
    }
    return at + n;
  }

  /**
   * Returns the index of the first entry of a map whose name is the given bytes, read one char per
   * byte and with ASCII letters in lower case: what {@code map.indexOf(bytesToString(name, 0,
   * length))} returns, without making the string.
   *
   * @param map the map
   * @param name the name's bytes, any case
   * @param length how many of them
   * @return the index, or -1
   */
  static int indexOf(HeaderMap map, byte[] name, int length) {
    int n = map.size();
    for (int i = 0; i < n; i++) {
      if (sameName(map.name(i), name, length)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean sameName(String key, byte[] name, int length) {
    if (key.length() != length) {
      return false;
    }
    for (int j = 0; j < length; j++) {
      if (key.charAt(j) != HeaderMap.lowerCase((char) (name[j] & 0xFF))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads bytes as a string with one char per byte (ISO-8859-1).
   *
   * @param data the bytes
   * @param offset the first byte
   * @param length how many
   * @return the string
   */
  public static String bytesToString(byte[] data, int offset, int length) {
    return new String(data, offset, length, StandardCharsets.ISO_8859_1);
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
    b[at + 2] = (byte) (v >>> 16);
    b[at + 3] = (byte) (v >>> 24);
  }

  private static long getUnsigned(byte[] b, int at) {
    return (b[at] & 0xFFL)
        | (b[at + 1] & 0xFFL) << 8
        | (b[at + 2] & 0xFFL) << 16
        | (b[at + 3] & 0xFFL) << 24;
  }
}

package io.proxywasm.host.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
  public static int encodedSize(List<Map.Entry<String, String>> pairs) {
    long size = 4;
    for (int i = 0; i < pairs.size(); i++) { // by index: no iterator on the request path
      Map.Entry<String, String> e = pairs.get(i);
      size += 8 + utf8Length(e.getKey()) + 1 + utf8Length(e.getValue()) + 1;
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
  public static byte[] encode(List<Map.Entry<String, String>> pairs) {
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
  public static int encodeInto(List<Map.Entry<String, String>> pairs, byte[] target, int offset) {
    int n = pairs.size();
    putInt(target, offset, n);
    int sizes = offset + 4;
    int data = sizes + 8 * n;
    for (int i = 0; i < n; i++) {
      Map.Entry<String, String> e = pairs.get(i);
      int keyStart = data;
      data = putUtf8(e.getKey(), target, data);
      putInt(target, sizes, data - keyStart);
      target[data++] = 0;
      int valueStart = data;
      data = putUtf8(e.getValue(), target, data);
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
  public static List<Map.Entry<String, String>> decode(byte[] data) {
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
  public static List<Map.Entry<String, String>> decodeStrict(byte[] data) {
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
    List<Map.Entry<String, String>> out = new ArrayList<>((int) n);
    long pos = sizesEnd;
    for (int i = 0; i < n; i++) {
      long keyLength = getUnsigned(data, 4 + 8 * i);
      long valueLength = getUnsigned(data, 8 + 8 * i);
      String key = string(data, pos, keyLength, i, "key");
      pos += keyLength + 1;
      String value = string(data, pos, valueLength, i, "value");
      pos += valueLength + 1;
      out.add(Map.entry(key, value));
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
    return new String(data, (int) pos, (int) length, StandardCharsets.UTF_8);
  }

  /**
   * Splits a property path: segments joined by NUL, no trailing NUL.
   *
   * @param path the path bytes
   * @return the segments; empty for an empty path
   */
  public static List<String> splitPath(byte[] path) {
    List<String> out = new ArrayList<>();
    if (path.length == 0) {
      return out;
    }
    int start = 0;
    for (int i = 0; i <= path.length; i++) {
      if (i == path.length || path[i] == 0) {
        out.add(new String(path, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
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
    return String.join("\0", segments).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Returns the length of a string in UTF-8 as {@link #putUtf8} writes it: a lone surrogate is one
   * byte, {@code ?}, as {@link String#getBytes} writes it.
   */
  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          n += 4;
          i++;
        } else {
          n += 1;
        }
      } else {
        n += 3;
      }
    }
    return n;
  }

  /**
   * Writes a string in UTF-8 with no allocation, as {@link String#getBytes} would.
   *
   * @return the index after the last byte written
   */
  static int putUtf8(String s, byte[] b, int at) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        b[at++] = (byte) c;
      } else if (c < 0x800) {
        b[at++] = (byte) (0xC0 | (c >> 6));
        b[at++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          b[at++] = (byte) (0xF0 | (cp >> 18));
          b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          b[at++] = (byte) (0x80 | (cp & 0x3F));
        } else {
          b[at++] = '?';
        }
      } else {
        b[at++] = (byte) (0xE0 | (c >> 12));
        b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        b[at++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    return at;
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

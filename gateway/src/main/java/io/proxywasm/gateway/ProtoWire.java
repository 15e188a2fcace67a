package io.proxywasm.gateway;

/**
 * Protocol buffers' wire format, read forward, for the few messages plugins hand the gateway
 * serialized (a {@code GrpcService}, the arguments of Envoy's foreign functions); every read says
 * when the bytes are not it.
 */
final class ProtoWire {
  private final byte[] b;
  private int pos;
  private final int end;

  ProtoWire(byte[] b, int pos, int end) {
    this.b = b;
    this.pos = pos;
    this.end = end;
  }

  boolean more() {
    return pos < end;
  }

  /** A field's tag (field number and wire type), or -1 when it is cut off or names field 0. */
  long tag() {
    long tag = varint();
    return tag < 0 || tag >>> 3 == 0 ? -1 : tag;
  }

  /** A tag's field number. */
  static int field(long tag) {
    return (int) (tag >>> 3);
  }

  /** A tag's wire type. */
  static int type(long tag) {
    return (int) (tag & 7);
  }

  /** A varint, or -1 when it is cut off or longer than 64 bits. */
  long varint() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        return -1;
      }
      byte x = b[pos++];
      v |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        return v < 0 ? -1 : v;
      }
    }
    return -1;
  }

  /** A length-delimited field's bytes, or null when they run past the end. */
  byte[] bytes() {
    long n = varint();
    if (n < 0 || n > end - pos) {
      return null;
    }
    byte[] out = new byte[(int) n];
    System.arraycopy(b, pos, out, 0, (int) n);
    pos += (int) n;
    return out;
  }

  /** Skips a field's value of a wire type; false for a type that is not one (or a group). */
  boolean skip(int type) {
    switch (type) {
      case 0:
        return varint() >= 0;
      case 1:
        pos += 8;
        return pos <= end;
      case 2:
        return bytes() != null;
      case 5:
        pos += 4;
        return pos <= end;
      default:
        return false;
    }
  }
}

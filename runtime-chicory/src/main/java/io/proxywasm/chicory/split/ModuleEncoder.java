package io.proxywasm.chicory.split;

import static io.proxywasm.chicory.split.WasmBytes.readU32;
import static io.proxywasm.chicory.split.WasmBytes.u32;
import static io.proxywasm.chicory.split.WasmBytes.writeU32;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A module's sections as bytes, and the module written again with new function bodies and the
 * functions splitting added: the type, function and code sections are rewritten, every other
 * section is copied as it is.
 */
final class ModuleEncoder {
  private static final int TYPE = 1;
  private static final int FUNCTION = 3;
  private static final int CODE = 10;

  /** A section: where its header starts, and where its payload starts and ends. */
  private record Section(int id, int headerStart, int start, int end) {}

  private final byte[] bytes;
  private final List<Section> sections = new ArrayList<>();

  ModuleEncoder(byte[] bytes) {
    this.bytes = bytes;
    int[] pos = {8};
    while (pos[0] < bytes.length) {
      int headerStart = pos[0];
      int id = bytes[pos[0]++] & 0xff;
      int size = (int) readU32(bytes, pos);
      sections.add(new Section(id, headerStart, pos[0], pos[0] + size));
      pos[0] += size;
    }
  }

  /** Whether the module has code to split: type, function and code sections. */
  boolean hasCode() {
    return find(CODE) != null && find(TYPE) != null && find(FUNCTION) != null;
  }

  /** The bodies of the defined functions, copied. */
  List<byte[]> bodies() {
    int[] pos = {find(CODE).start()};
    int count = (int) readU32(bytes, pos);
    List<byte[]> bodies = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int size = (int) readU32(bytes, pos);
      bodies.add(Arrays.copyOfRange(bytes, pos[0], pos[0] + size));
      pos[0] += size;
    }
    return bodies;
  }

  /** The module with the defined functions' bodies replaced and the new functions appended. */
  byte[] encode(List<byte[]> bodies, NewFunctions added) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 1024);
    out.write(bytes, 0, 8);
    for (Section s : sections) {
      switch (s.id()) {
        case TYPE -> section(out, TYPE, appended(s, added.types()));
        case FUNCTION -> {
          List<byte[]> indexes = new ArrayList<>();
          for (int type : added.functionTypes()) {
            indexes.add(u32(type));
          }
          section(out, FUNCTION, appended(s, indexes));
        }
        case CODE -> {
          ByteArrayOutputStream c = new ByteArrayOutputStream();
          writeU32(c, bodies.size() + added.bodies().size());
          for (List<byte[]> list : List.of(bodies, added.bodies())) {
            for (byte[] b : list) {
              writeU32(c, b.length);
              c.writeBytes(b);
            }
          }
          section(out, CODE, c.toByteArray());
        }
        default -> out.write(bytes, s.headerStart(), s.end() - s.headerStart());
      }
    }
    return out.toByteArray();
  }

  private Section find(int id) {
    for (Section s : sections) {
      if (s.id() == id) {
        return s;
      }
    }
    return null;
  }

  /** A vector section's payload with entries appended. */
  private byte[] appended(Section s, List<byte[]> extra) {
    int[] pos = {s.start()};
    long count = readU32(bytes, pos);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeU32(out, count + extra.size());
    out.write(bytes, pos[0], s.end() - pos[0]);
    for (byte[] e : extra) {
      out.writeBytes(e);
    }
    return out.toByteArray();
  }

  private static void section(ByteArrayOutputStream out, int id, byte[] payload) {
    out.write(id);
    writeU32(out, payload.length);
    out.writeBytes(payload);
  }
}

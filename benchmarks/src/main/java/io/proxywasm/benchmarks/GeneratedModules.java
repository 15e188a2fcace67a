package io.proxywasm.benchmarks;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Wasm modules written byte by byte for benchmarks: sizes and shapes the corpus does not have. No
 * toolchain is needed, so the benchmarks run anywhere the JDK does.
 */
final class GeneratedModules {
  private GeneratedModules() {}

  /**
   * A Go-sized module: {@code functions} exported functions {@code big<N>(i32) -> i32}, each {@code
   * steps} arithmetic steps on its argument (big enough that its JVM translation is over HotSpot's
   * 8000-byte JIT limit from about 1000 steps), and {@code split(i32) -> i32}, which does exactly
   * the work of {@code big0} in {@code parts} functions of {@code steps / parts} steps each, every
   * one small enough to be JIT-compiled.
   *
   * @param functions how many big functions
   * @param steps steps in each big function
   * @param parts how many small functions {@code split} calls
   * @return the module's bytes
   */
  static byte[] bigFunctions(int functions, int steps, int parts) {
    if (steps % parts != 0) {
      throw new IllegalArgumentException("steps must divide into parts");
    }
    int chunk = steps / parts;
    // function indexes: 0..functions-1 big, then parts small ones, then split
    int total = functions + parts + 1;
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});

    ByteArrayOutputStream types = new ByteArrayOutputStream();
    u32(types, 1);
    types.writeBytes(new byte[] {0x60, 1, 0x7f, 1, 0x7f});
    section(m, 1, types);

    ByteArrayOutputStream funcs = new ByteArrayOutputStream();
    u32(funcs, total);
    for (int i = 0; i < total; i++) {
      u32(funcs, 0);
    }
    section(m, 3, funcs);

    ByteArrayOutputStream exports = new ByteArrayOutputStream();
    u32(exports, functions + 1);
    for (int i = 0; i < functions; i++) {
      export(exports, "big" + i, i);
    }
    export(exports, "split", total - 1);
    section(m, 7, exports);

    ByteArrayOutputStream code = new ByteArrayOutputStream();
    u32(code, total);
    for (int f = 0; f < functions; f++) {
      body(code, steps(0, steps, f));
    }
    for (int p = 0; p < parts; p++) {
      body(code, steps(p * chunk, (p + 1) * chunk, 0));
    }
    ByteArrayOutputStream split = new ByteArrayOutputStream();
    split.writeBytes(new byte[] {0x20, 0}); // local.get 0
    for (int p = 0; p < parts; p++) {
      split.write(0x10); // call
      u32(split, functions + p);
    }
    body(code, split);
    section(m, 10, code);
    return m.toByteArray();
  }

  /** Steps {@code from..to} of the mixing function, seeded by {@code salt}; leaves the result. */
  private static ByteArrayOutputStream steps(int from, int to, int salt) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = from; i < to; i++) {
      b.writeBytes(new byte[] {0x20, 0}); // local.get 0
      b.write(0x41); // i32.const
      s32(b, i * 31 + 7 + salt);
      b.write(0x6c); // i32.mul
      b.write(0x41);
      s32(b, i);
      b.write(0x73); // i32.xor
      b.writeBytes(new byte[] {0x21, 0}); // local.set 0
    }
    b.writeBytes(new byte[] {0x20, 0});
    return b;
  }

  private static void body(ByteArrayOutputStream code, ByteArrayOutputStream instructions) {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    u32(f, 0); // no locals
    f.writeBytes(instructions.toByteArray());
    f.write(0x0b); // end
    u32(code, f.size());
    code.writeBytes(f.toByteArray());
  }

  private static void export(ByteArrayOutputStream out, String name, int index) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    u32(out, n.length);
    out.writeBytes(n);
    out.write(0); // function
    u32(out, index);
  }

  /**
   * Returns a module with a custom section appended: the same code under another hash.
   *
   * @param module a module
   * @param salt makes the hash unique
   * @return the new bytes
   */
  static byte[] withSalt(byte[] module, long salt) {
    ByteArrayOutputStream custom = new ByteArrayOutputStream();
    byte[] name = "salt".getBytes(StandardCharsets.UTF_8);
    u32(custom, name.length);
    custom.writeBytes(name);
    custom.writeBytes(Long.toString(salt).getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(module);
    section(out, 0, custom);
    return out.toByteArray();
  }

  private static void section(ByteArrayOutputStream m, int id, ByteArrayOutputStream content) {
    m.write(id);
    u32(m, content.size());
    m.writeBytes(content.toByteArray());
  }

  private static void u32(ByteArrayOutputStream out, long value) {
    do {
      int b = (int) (value & 0x7f);
      value >>>= 7;
      out.write(value != 0 ? b | 0x80 : b);
    } while (value != 0);
  }

  private static void s32(ByteArrayOutputStream out, int value) {
    boolean more = true;
    while (more) {
      int b = value & 0x7f;
      value >>= 7;
      if ((value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0)) {
        more = false;
      } else {
        b |= 0x80;
      }
      out.write(b);
    }
  }
}

package io.proxywasm.chicory.split;

import com.dylibso.chicory.wasm.types.OpCode;
import java.io.ByteArrayOutputStream;

/**
 * The wasm binary encoding as the function splitter reads and writes it: LEB128 numbers, and the
 * few instructions it writes around moved code (local accesses, constants, empty-typed blocks,
 * branches).
 */
final class WasmBytes {
  private WasmBytes() {}

  /** Reads an unsigned LEB128 number at {@code pos[0]} and moves past it. */
  static long readU32(byte[] bytes, int[] pos) {
    long result = 0;
    int shift = 0;
    while (true) {
      int b = bytes[pos[0]++] & 0xff;
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
      shift += 7;
    }
  }

  /** Moves past a LEB128 number of any sign and size. */
  static void skipLeb(byte[] code, int[] pos) {
    while ((code[pos[0]++] & 0x80) != 0) {
      // continuation bytes
    }
  }

  static byte[] u32(long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeU32(out, value);
    return out.toByteArray();
  }

  static void writeU32(ByteArrayOutputStream out, long value) {
    do {
      int b = (int) (value & 0x7f);
      value >>>= 7;
      out.write(value != 0 ? b | 0x80 : b);
    } while (value != 0);
  }

  static void writeS32(ByteArrayOutputStream out, int value) {
    while (true) {
      int b = value & 0x7f;
      value >>= 7;
      if ((value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0)) {
        out.write(b);
        return;
      }
      out.write(b | 0x80);
    }
  }

  /** {@code local.get}, {@code local.set} or {@code local.tee} of a local. */
  static void localOp(ByteArrayOutputStream out, OpCode op, int index) {
    out.write(op.opcode());
    writeU32(out, index);
  }

  static void constI32(ByteArrayOutputStream out, int value) {
    out.write(OpCode.I32_CONST.opcode());
    writeS32(out, value);
  }

  /** Opens a {@code block}, {@code loop} or {@code if} with no parameters and no results. */
  static void open(ByteArrayOutputStream out, OpCode op) {
    out.write(op.opcode());
    out.write(0x40);
  }

  /** {@code br} or {@code br_if} to a label. */
  static void branch(ByteArrayOutputStream out, OpCode op, int label) {
    out.write(op.opcode());
    writeU32(out, label);
  }

  /** Branches to a label when an i32 local holds a value. */
  static void branchIfEquals(ByteArrayOutputStream out, int local, int value, int label) {
    localOp(out, OpCode.LOCAL_GET, local);
    constI32(out, value);
    out.write(OpCode.I32_EQ.opcode());
    branch(out, OpCode.BR_IF, label);
  }
}

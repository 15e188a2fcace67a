package io.proxywasm.chicory.split;

import static io.proxywasm.chicory.split.WasmBytes.readU32;
import static io.proxywasm.chicory.split.WasmBytes.skipLeb;
import static io.proxywasm.chicory.split.WasmBytes.writeU32;

import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A function body decoded for splitting: its locals, its instructions (opcode, address and the
 * immediates the splitter needs) and where each block, loop and if ends. The splitter's own
 * decoder, so that it works on the body's bytes and copies what it does not change as it is.
 */
final class FunctionBody {
  /** One decoded instruction: its opcode, where it starts in the body, its immediates. */
  record Ins(OpCode opcode, int address, long[] operands) {
    long operand(int index) {
      return operands[index];
    }
  }

  private static final long[] NONE = new long[0];

  /** The most locals a function to split may have. */
  private static final int MAX_LOCALS = 50_000;

  /** The body: local declarations, then instructions. */
  final byte[] code;

  /** Where the instructions start. */
  final int codeStart;

  /** The types of the function's locals, parameters first. */
  final List<ValType> localTypes;

  /** The instructions, the final {@code end} included. */
  final List<Ins> ins;

  /** For each block, loop and if, the index of its {@code end}. */
  final int[] match;

  private FunctionBody(byte[] code, int codeStart, List<ValType> localTypes, List<Ins> ins) {
    this.code = code;
    this.codeStart = codeStart;
    this.localTypes = localTypes;
    this.ins = ins;
    this.match = new int[ins.size()];
    ArrayDeque<Integer> open = new ArrayDeque<>();
    for (int i = 0; i < ins.size(); i++) {
      OpCode op = ins.get(i).opcode();
      if (isOpener(op)) {
        open.push(i);
      } else if (op == OpCode.END && !open.isEmpty()) {
        match[open.pop()] = i;
      }
    }
  }

  /**
   * Decodes a function body; null if it is left whole: a reference or GC local, too many locals, or
   * an instruction the splitter does not model.
   */
  static FunctionBody decode(byte[] code, List<ValType> params) {
    List<ValType> locals = new ArrayList<>(params);
    int[] pos = {0};
    try {
      long entries = readU32(code, pos);
      for (long e = 0; e < entries; e++) {
        long n = readU32(code, pos);
        ValType t = valType(code[pos[0]++] & 0xff);
        if (t == null) {
          return null; // a reference or GC local: left whole
        }
        if (locals.size() + n > MAX_LOCALS) {
          return null;
        }
        for (long k = 0; k < n; k++) {
          locals.add(t);
        }
      }
      List<Ins> ins = instructions(code, pos[0]);
      return ins == null ? null : new FunctionBody(code, pos[0], locals, ins);
    } catch (RuntimeException e) {
      return null; // code this decoder does not know: left whole
    }
  }

  /** A numeric or vector value type by its encoding, or null. */
  static ValType valType(int encoding) {
    return switch (encoding) {
      case 0x7f -> ValType.I32;
      case 0x7e -> ValType.I64;
      case 0x7d -> ValType.F32;
      case 0x7c -> ValType.F64;
      case 0x7b -> ValType.V128;
      default -> null;
    };
  }

  /**
   * Decodes a function's instructions, from {@code start} to the end of the body; null if one of
   * them is not one the splitter models.
   */
  private static List<Ins> instructions(byte[] code, int start) {
    List<Ins> out = new ArrayList<>(code.length / 2);
    int[] pos = {start};
    while (pos[0] < code.length) {
      int address = pos[0];
      int op = code[pos[0]++] & 0xff;
      long[] operands = NONE;
      if (op == 0xfc) {
        op = 0xfc00 | (int) readU32(code, pos);
      }
      OpCode opcode = op < 0xfc00 && !StackHeights.simple(op) ? null : OpCode.byOpCode(op);
      if (opcode == null) {
        return null;
      }
      switch (op) {
        case 0x02, 0x03, 0x04 -> skipBlockType(code, pos);
        case 0x0c, 0x0d, 0x10, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x3f, 0x40, 0xd2 ->
            operands = new long[] {readU32(code, pos)};
        case 0x0e -> {
          int n = (int) readU32(code, pos);
          operands = new long[n + 1];
          for (int k = 0; k <= n; k++) {
            operands[k] = readU32(code, pos);
          }
        }
        case 0x11 -> operands = new long[] {readU32(code, pos), readU32(code, pos)};
        case 0x1c -> {
          long n = readU32(code, pos);
          for (long k = 0; k < n; k++) {
            if (valType(code[pos[0]++] & 0xff) == null) {
              return null;
            }
          }
        }
        case 0x41, 0x42 -> skipLeb(code, pos);
        case 0x43 -> pos[0] += 4;
        case 0x44 -> pos[0] += 8;
        case 0xd0 -> pos[0]++;
        case 0xfc08, 0xfc0a, 0xfc0c, 0xfc0e -> {
          readU32(code, pos);
          readU32(code, pos);
        }
        case 0xfc09, 0xfc0b, 0xfc0d, 0xfc0f, 0xfc10, 0xfc11 -> readU32(code, pos);
        default -> {
          if (op >= 0x28 && op <= 0x3e) { // memarg: alignment (and memory), offset
            long align = readU32(code, pos);
            if ((align & 0x40) != 0) {
              readU32(code, pos);
            }
            readU32(code, pos);
          } else if (op >= 0xfc00 && !StackHeights.prefixed(op)) {
            return null;
          }
        }
      }
      out.add(new Ins(opcode, address, operands));
    }
    return out;
  }

  private static void skipBlockType(byte[] code, int[] pos) {
    int first = code[pos[0]] & 0xff;
    if (first == 0x40 || valType(first) != null) {
      pos[0]++;
    } else if ((first & 0xc0) == 0x40) {
      throw new IllegalArgumentException("a reference block type");
    } else {
      readU32(code, pos);
    }
  }

  /** Writes the body's local declarations with more locals declared after them, one entry each. */
  void writeLocals(ByteArrayOutputStream out, List<ValType> more) {
    if (more.isEmpty()) {
      out.write(code, 0, codeStart);
      return;
    }
    int[] p = {0};
    long entries = readU32(code, p);
    writeU32(out, entries + more.size());
    out.write(code, p[0], codeStart - p[0]);
    for (ValType t : more) {
      writeU32(out, 1);
      out.write(t.opcode());
    }
  }

  OpCode opcode(int i) {
    return ins.get(i).opcode();
  }

  int start(int i) {
    return ins.get(i).address();
  }

  int end(int i) {
    return i + 1 < ins.size() ? ins.get(i + 1).address() : start(i) + 1;
  }

  /** Bytes of instructions {@code from} to {@code to} exclusive. */
  int size(int from, int to) {
    return to > from ? end(to - 1) - start(from) : 0;
  }

  /** The instruction after the one at {@code i} at its level: past the end of a construct. */
  int next(int i) {
    return isOpener(opcode(i)) ? match[i] + 1 : i + 1;
  }

  /** Copies instructions {@code from} to {@code to} (exclusive) as they are. */
  void copy(ByteArrayOutputStream out, int from, int to) {
    if (to > from) {
      out.write(code, start(from), size(from, to));
    }
  }

  /** The ELSE of an IF at the IF's own level, or -1. */
  int elseOf(int ifAt) {
    for (int i = ifAt + 1; i < match[ifAt]; i = next(i)) {
      if (opcode(i) == OpCode.ELSE) {
        return i;
      }
    }
    return -1;
  }

  /** Whether the instruction at an index is a block with no parameters and no results. */
  boolean isVoidBlock(int at) {
    return opcode(at) == OpCode.BLOCK && (code[start(at) + 1] & 0xff) == 0x40;
  }

  static boolean isOpener(OpCode op) {
    return op == OpCode.BLOCK || op == OpCode.LOOP || op == OpCode.IF;
  }

  /** Whether an instruction makes what follows it at its level unreachable. */
  static boolean endsReachability(OpCode op) {
    return op == OpCode.UNREACHABLE
        || op == OpCode.BR
        || op == OpCode.BR_TABLE
        || op == OpCode.RETURN
        || op == OpCode.RETURN_CALL
        || op == OpCode.RETURN_CALL_INDIRECT
        || op == OpCode.RETURN_CALL_REF
        || op == OpCode.THROW
        || op == OpCode.THROW_REF;
  }

  /**
   * Whether an instruction keeps the code around it from moving: a tail call, or a branch on a
   * reference.
   */
  static boolean pinsItsRun(OpCode op) {
    return op == OpCode.RETURN_CALL
        || op == OpCode.RETURN_CALL_INDIRECT
        || op == OpCode.RETURN_CALL_REF
        || op == OpCode.BR_ON_NULL
        || op == OpCode.BR_ON_NON_NULL
        || op == OpCode.BR_ON_CAST
        || op == OpCode.BR_ON_CAST_FAIL;
  }

  /**
   * Whether a {@code br}, {@code br_if} or {@code br_table} branches out of the run it is in, from
   * {@code depth} blocks opened inside the run.
   */
  static boolean branchesOut(Ins in, int depth) {
    OpCode op = in.opcode();
    if (op == OpCode.BR || op == OpCode.BR_IF) {
      return in.operand(0) >= depth;
    }
    if (op == OpCode.BR_TABLE) {
      for (long label : in.operands()) {
        if (label >= depth) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether an instruction reads or writes a local. */
  static boolean isLocalOp(OpCode op) {
    return op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE;
  }
}

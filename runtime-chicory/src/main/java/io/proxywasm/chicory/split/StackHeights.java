package io.proxywasm.chicory.split;

import static io.proxywasm.chicory.split.WasmBytes.readU32;

import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.OpCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The stack-height analysis of a function body, and the cut points it gives: how each instruction
 * changes the height of the operand stack, and so where, inside a block, one statement ends and the
 * next begins (where the block's operand stack is empty). A value left on the stack across
 * instructions (as Go's compiler does, across whole blocks) keeps them in one statement.
 */
final class StackHeights {
  /** What {@link #delta} returns for an instruction it does not know. */
  static final int UNKNOWN = Integer.MIN_VALUE;

  private final FunctionBody body;
  private final NewFunctions functions;

  StackHeights(FunctionBody body, NewFunctions functions) {
    this.body = body;
    this.functions = functions;
  }

  /**
   * Whether the stack effect of every instruction of the body is known; if not, the function is
   * left whole.
   */
  boolean modelsAll() {
    for (int i = 0; i < body.ins.size(); i++) {
      OpCode op = body.opcode(i);
      if (!FunctionBody.isOpener(op)
          && !FunctionBody.endsReachability(op)
          && op != OpCode.ELSE
          && op != OpCode.END
          && delta(i) == UNKNOWN) {
        return false;
      }
    }
    return true;
  }

  /**
   * The statements of one block body at one level, and where that body ends.
   *
   * @param runs each statement's first instruction and the one after its last
   * @param end the index of the {@code else} or {@code end} that ends the body, or {@code to}
   */
  record Statements(List<int[]> runs, int end) {}

  /**
   * The statements among the instructions {@code from} to {@code to} (exclusive) that form one
   * block body: runs that start and end with the block's operand stack empty. What follows an
   * instruction that ends reachability at this level is in no statement.
   *
   * @param height the operand stack height at {@code from}: the block's parameters
   */
  Statements statements(int from, int to, int height) {
    List<int[]> statements = new ArrayList<>();
    int i = from;
    int statementStart = from;
    boolean startsEmpty = height == 0;
    boolean open = true;
    while (i < to) {
      OpCode op = body.opcode(i);
      if (op == OpCode.ELSE || op == OpCode.END) {
        break; // the end of this body
      }
      int next = body.next(i);
      if (open && FunctionBody.endsReachability(op)) {
        open = false; // what follows is unreachable at this level: left as it is
      } else if (open) {
        height += delta(i);
        if (height == 0) {
          if (startsEmpty) {
            statements.add(new int[] {statementStart, next});
          }
          statementStart = next;
          startsEmpty = true;
        }
      }
      i = next;
    }
    return new Statements(statements, i);
  }

  /**
   * The height of the operand stack after instructions {@code from} to {@code to} (exclusive) at
   * one level, from empty; {@link #UNKNOWN} if one of them has an effect not known or ends
   * reachability.
   */
  int height(int from, int to) {
    int height = 0;
    for (int i = from; i < to; i = body.next(i)) {
      int delta = delta(i);
      if (FunctionBody.endsReachability(body.opcode(i)) || delta == UNKNOWN) {
        return UNKNOWN;
      }
      height += delta;
    }
    return height;
  }

  /**
   * How an instruction changes the height of the operand stack (pushes less pops); for a block,
   * loop or if, the whole construct. {@link #UNKNOWN} for instructions the splitter does not model
   * (SIMD, atomics, GC, typed function references): a function using one is left whole.
   */
  int delta(int at) {
    FunctionBody.Ins in = body.ins.get(at);
    int op = in.opcode().opcode();
    if (op == OpCode.BLOCK.opcode() || op == OpCode.LOOP.opcode() || op == OpCode.IF.opcode()) {
      int[] type = blockType(at);
      return type[1] - type[0] - (op == OpCode.IF.opcode() ? 1 : 0);
    }
    if (op == OpCode.CALL.opcode()) {
      FunctionType t = functions.functionType((int) in.operand(0));
      return t.returns().size() - t.params().size();
    }
    if (op == OpCode.CALL_INDIRECT.opcode()) {
      FunctionType t = functions.type((int) in.operand(0));
      return t.returns().size() - t.params().size() - 1;
    }
    if (op < 0x100) {
      return simple(op) ? SIMPLE_DELTAS[op] : UNKNOWN;
    }
    if (prefixed(op)) {
      return PREFIXED_DELTAS[op & 0xff];
    }
    return UNKNOWN;
  }

  /**
   * The number of parameters and results of the block, loop or if at an index, from its block type:
   * empty, one value type, or a type index.
   */
  int[] blockType(int at) {
    int[] pos = {body.start(at) + 1};
    int first = body.code[pos[0]] & 0xff;
    if (first == 0x40) {
      return new int[] {0, 0};
    }
    if ((first & 0xc0) == 0x40) { // a one-byte negative number: a value type
      return new int[] {0, 1};
    }
    FunctionType t = functions.type((int) readU32(body.code, pos));
    return new int[] {t.params().size(), t.returns().size()};
  }

  /** Whether a one-byte opcode is within the table of their deltas. */
  static boolean simple(int op) {
    return op < SIMPLE_DELTAS.length;
  }

  /** Whether a 0xFC-prefixed opcode ({@code 0xfcNN}) has a known delta. */
  static boolean prefixed(int op) {
    return (op & 0xff00) == 0xfc00 && (op & 0xff) < PREFIXED_DELTAS.length;
  }

  /** Stack deltas of the one-byte opcodes other than blocks and calls, by opcode. */
  private static final int[] SIMPLE_DELTAS = simpleDeltas();

  /** Stack deltas of the 0xFC-prefixed opcodes (saturating truncation, bulk memory and tables). */
  private static final int[] PREFIXED_DELTAS = {
    0, 0, 0, 0, 0, 0, 0, 0, -3, 0, -3, -3, -3, 0, -3, -1, 1, -3
  };

  private static int[] simpleDeltas() {
    int[] d = new int[0xd3];
    Arrays.fill(d, UNKNOWN);
    d[0x01] = 0; // nop
    d[0x0d] = -1; // br_if: the condition (label values stay)
    d[0x1a] = -1; // drop
    d[0x1b] = -2; // select
    d[0x1c] = -2; // select t
    d[0x20] = 1; // local.get
    d[0x21] = -1; // local.set
    d[0x22] = 0; // local.tee
    d[0x23] = 1; // global.get
    d[0x24] = -1; // global.set
    d[0x25] = 0; // table.get
    d[0x26] = -2; // table.set
    fill(d, 0x28, 0x35, 0); // loads
    fill(d, 0x36, 0x3e, -2); // stores
    d[0x3f] = 1; // memory.size
    d[0x40] = 0; // memory.grow
    fill(d, 0x41, 0x44, 1); // constants
    d[0x45] = 0; // i32.eqz
    fill(d, 0x46, 0x4f, -1); // i32 comparisons
    d[0x50] = 0; // i64.eqz
    fill(d, 0x51, 0x66, -1); // i64, f32 and f64 comparisons
    fill(d, 0x67, 0x69, 0); // i32 clz, ctz, popcnt
    fill(d, 0x6a, 0x78, -1); // i32 binary
    fill(d, 0x79, 0x7b, 0); // i64 clz, ctz, popcnt
    fill(d, 0x7c, 0x8a, -1); // i64 binary
    fill(d, 0x8b, 0x91, 0); // f32 unary
    fill(d, 0x92, 0x98, -1); // f32 binary
    fill(d, 0x99, 0x9f, 0); // f64 unary
    fill(d, 0xa0, 0xa6, -1); // f64 binary
    fill(d, 0xa7, 0xc4, 0); // conversions and sign extension
    d[0xd0] = 1; // ref.null
    d[0xd1] = 0; // ref.is_null
    d[0xd2] = 1; // ref.func
    return d;
  }

  private static void fill(int[] d, int first, int last, int delta) {
    Arrays.fill(d, first, last + 1, delta);
  }
}

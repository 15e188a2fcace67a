package io.proxywasm.chicory.split;

import static io.proxywasm.chicory.split.FunctionBody.isOpener;

import com.dylibso.chicory.wasm.types.OpCode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Which locals of a function body are live where: read later on some path before they are written
 * again. A moved run hands back to its call site only the locals it writes that are live where it
 * may leave itself to; the others keep, in the caller, values nobody reads.
 *
 * <p>The usual backward analysis over the body's control flow, by basic blocks: a branch goes to
 * the start of a loop or to the {@code end} of a block or if; an if goes on into its then-part or
 * to its else-part (its end if it has none); an {@code else} reached from the then-part goes to the
 * end; a return, a throw, {@code unreachable} and the final {@code end} go out of the function,
 * where no local is live. A body too big for the analysis to be cheap counts every local as live
 * everywhere.
 */
final class Liveness {
  /** The most bits of live sets (locals times basic blocks) the analysis keeps. */
  private static final long MAX_BITS = 1L << 26;

  /** A successor: out of the function. */
  private static final int OUT = -1;

  private static final int[] NO_SUCCESSORS = {};

  private final FunctionBody body;

  /**
   * The successors of each instruction that does not simply go on to the next one; null for those
   * that do.
   */
  private final int[][] jumps;

  /** The basic block of each instruction. */
  private final int[] blockOf;

  /** Where each basic block starts; one more entry, the end of the last. */
  private final int[] blockStarts;

  /** The locals live at the end of each basic block; null if every local counts as live. */
  private final BitSet[] liveOut;

  Liveness(FunctionBody body) {
    this.body = body;
    int n = body.ins.size();
    this.jumps = jumps(body);
    boolean[] leader = new boolean[n + 1];
    leader[0] = true;
    for (int i = 0; i < n; i++) {
      if (jumps[i] != null) {
        leader[i + 1] = true;
        for (int s : jumps[i]) {
          if (s != OUT) {
            leader[s] = true;
          }
        }
      }
    }
    List<Integer> starts = new ArrayList<>();
    this.blockOf = new int[n];
    for (int i = 0; i < n; i++) {
      if (leader[i]) {
        starts.add(i);
      }
      blockOf[i] = starts.size() - 1;
    }
    starts.add(n);
    this.blockStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    int blocks = blockStarts.length - 1;
    if ((long) blocks * body.localTypes.size() > MAX_BITS) {
      this.liveOut = null;
    } else {
      this.liveOut = solve(blocks);
    }
  }

  /** The successors of the instructions that do not simply go on to the next one. */
  private static int[][] jumps(FunctionBody body) {
    int n = body.ins.size();
    int[][] jumps = new int[n][];
    ArrayDeque<Integer> open = new ArrayDeque<>(); // the constructs around, innermost first
    for (int i = 0; i < n; i++) {
      FunctionBody.Ins in = body.ins.get(i);
      OpCode op = in.opcode();
      if (isOpener(op)) {
        if (op == OpCode.IF) {
          int elseAt = body.elseOf(i);
          jumps[i] = new int[] {i + 1, elseAt >= 0 ? elseAt + 1 : body.match[i]};
        }
        open.push(i);
      } else if (op == OpCode.ELSE) {
        jumps[i] = new int[] {body.match[open.peek()]};
      } else if (op == OpCode.END) {
        if (open.isEmpty()) {
          jumps[i] = new int[] {OUT}; // the function's end
        } else {
          open.pop();
        }
      } else if (op == OpCode.BR) {
        jumps[i] = new int[] {target(body, open, in.operand(0))};
      } else if (op == OpCode.BR_IF) {
        jumps[i] = new int[] {i + 1, target(body, open, in.operand(0))};
      } else if (op == OpCode.BR_TABLE) {
        long[] labels = in.operands();
        jumps[i] = new int[labels.length];
        for (int k = 0; k < labels.length; k++) {
          jumps[i][k] = target(body, open, labels[k]);
        }
      } else if (FunctionBody.endsReachability(op)) {
        jumps[i] = new int[] {OUT}; // return, unreachable, throw, tail call
      }
    }
    return jumps;
  }

  /** Where a branch to a label goes: a loop's start, a block's or an if's end, or out. */
  private static int target(FunctionBody body, ArrayDeque<Integer> open, long label) {
    if (label >= open.size()) {
      return OUT; // the function's label: a return
    }
    int construct = -1;
    int k = 0;
    for (int c : open) {
      if (k++ == label) {
        construct = c;
        break;
      }
    }
    return body.opcode(construct) == OpCode.LOOP ? construct : body.match[construct];
  }

  private int[] successors(int i) {
    if (jumps[i] != null) {
      return jumps[i];
    }
    return i + 1 < body.ins.size() ? new int[] {i + 1} : NO_SUCCESSORS;
  }

  /** The live sets at the ends of the basic blocks, iterated to the fixed point. */
  private BitSet[] solve(int blocks) {
    BitSet[] uses = new BitSet[blocks];
    BitSet[] defs = new BitSet[blocks];
    for (int b = 0; b < blocks; b++) {
      uses[b] = new BitSet();
      defs[b] = new BitSet();
      for (int i = blockStarts[b]; i < blockStarts[b + 1]; i++) {
        FunctionBody.Ins in = body.ins.get(i);
        if (FunctionBody.isLocalOp(in.opcode())) {
          int local = (int) in.operand(0);
          if (in.opcode() == OpCode.LOCAL_GET) {
            if (!defs[b].get(local)) {
              uses[b].set(local);
            }
          } else {
            defs[b].set(local);
          }
        }
      }
    }
    BitSet[] out = new BitSet[blocks];
    BitSet[] in = new BitSet[blocks];
    for (int b = 0; b < blocks; b++) {
      out[b] = new BitSet();
      in[b] = (BitSet) uses[b].clone();
    }
    boolean changed = true;
    while (changed) {
      changed = false;
      for (int b = blocks - 1; b >= 0; b--) {
        BitSet o = new BitSet();
        for (int s : successors(blockStarts[b + 1] - 1)) {
          if (s != OUT) {
            o.or(in[blockOf[s]]);
          }
        }
        if (!o.equals(out[b])) {
          out[b] = o;
          BitSet i = (BitSet) o.clone();
          i.andNot(defs[b]);
          i.or(uses[b]);
          in[b] = i;
          changed = true;
        }
      }
    }
    return out;
  }

  /** The locals live where instruction {@code at} starts; null if every local counts as live. */
  private BitSet liveAt(int at) {
    if (liveOut == null) {
      return null;
    }
    int b = blockOf[at];
    BitSet live = (BitSet) liveOut[b].clone();
    for (int i = blockStarts[b + 1] - 1; i >= at; i--) {
      FunctionBody.Ins in = body.ins.get(i);
      if (FunctionBody.isLocalOp(in.opcode())) {
        int local = (int) in.operand(0);
        if (in.opcode() == OpCode.LOCAL_GET) {
          live.set(local);
        } else {
          live.clear(local);
        }
      }
    }
    return live;
  }

  /**
   * Adds the locals live where the instructions {@code from} to {@code to} (exclusive) may leave
   * themselves to: where they fall through to, and the targets of branches out of them.
   *
   * @return false if every local counts as live (nothing was added)
   */
  boolean addLiveAfter(int from, int to, BitSet live) {
    if (liveOut == null) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (jumps[i] == null && i != to - 1) {
        continue;
      }
      for (int s : successors(i)) {
        if (s != OUT && (s < from || s >= to)) {
          live.or(liveAt(s));
        }
      }
    }
    return true;
  }
}

package io.proxywasm.chicory;

import static io.proxywasm.chicory.FunctionBody.endsReachability;
import static io.proxywasm.chicory.FunctionBody.isOpener;
import static io.proxywasm.chicory.WasmBytes.constI32;
import static io.proxywasm.chicory.WasmBytes.localOp;
import static io.proxywasm.chicory.WasmBytes.writeU32;

import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Splits a dispatch chain (see {@link Chain}), the shape Go's compiler gives a function's basic
 * blocks, which no run of statements can move out of: its cases move in groups to new functions,
 * and the function keeps a loop that calls the group holding the current case.
 */
final class ChainSplitter {
  private final Pieces pieces;
  private final FunctionBody body;

  ChainSplitter(Pieces pieces) {
    this.pieces = pieces;
    this.body = pieces.body;
  }

  /**
   * The fewest nested blocks a dispatch chain has for it to be split as a chain. Below this, the
   * statement runs of each level are small enough to move out one by one.
   */
  private static final int MIN_CHAIN = 32;

  /**
   * A dispatch chain, as Go's compiler writes a function's basic blocks: {@code n + 1} nested
   * empty-typed blocks {@code B_n ⊃ … ⊃ B_0}; the innermost one computes an index (its prefix) and
   * ends with a {@code br_table} over the blocks' labels; after the end of each {@code B_k} comes
   * case {@code k}'s code, which falls through into case {@code k + 1}. Branching to the label of
   * {@code B_k} runs case {@code k}.
   *
   * <p>A statement run cannot move out of such a chain: the table branches to every level, so a
   * piece holding it has as many exits as the chain has cases, and the code that stays holds one
   * call site per case. Split as a chain, the cases move in groups to new functions, each entered
   * at any of its cases by a {@code br_table} of its own, and the function keeps a small loop that
   * calls the group holding the current case (see {@link #emit}).
   *
   * @param blocks the blocks' openers, {@code B_0} (the innermost) first
   * @param table the {@code br_table} that ends {@code B_0}
   * @param groups the cases of each group: {@code groups[g]} is the group's first case, and the
   *     last entry is {@code n}
   * @param uses the locals each group uses and writes
   * @param exits how each group leaves itself other than by falling through
   */
  record Chain(
      int[] blocks, int table, int[] groups, List<Pieces.Uses> uses, List<GroupExits> exits) {
    int n() {
      return blocks.length - 1;
    }

    /** Where case {@code k}'s code starts (after the end of {@code B_k}) and ends. */
    int caseFrom(int[] match, int k) {
      return match[blocks[k]] + 1;
    }

    int caseTo(int[] match, int k) {
      return match[blocks[k + 1]];
    }
  }

  /**
   * How a group of cases leaves itself: to later cases of the chain (at or after the group's end),
   * to labels around the chain, or by returning.
   */
  private record GroupExits(boolean toCases, java.util.SortedSet<Integer> outer, boolean returns) {}

  /** The dispatch chain whose outermost block opens at an index, or null if it is not one. */
  Chain chainAt(int at) {
    List<Integer> openers = new ArrayList<>();
    for (int b = at; b < body.ins.size() && body.isVoidBlock(b); b++) {
      openers.add(b);
    }
    // the innermost block is the one ending with the table (blocks opening its prefix are not)
    while (!openers.isEmpty()
        && body.ins.get(body.match[openers.get(openers.size() - 1)] - 1).opcode()
            != OpCode.BR_TABLE) {
      openers.remove(openers.size() - 1);
    }
    int n = openers.size() - 1;
    if (n < MIN_CHAIN) {
      return null;
    }
    int[] blocks = new int[n + 1];
    for (int k = 0; k <= n; k++) {
      blocks[k] = openers.get(n - k);
    }
    int table = body.match[blocks[0]] - 1;
    // the prefix computes the index and stays where it is: it must not branch
    if (pieces.heights.height(blocks[0] + 1, table) != 1 || leaves(blocks[0] + 1, table)) {
      return null;
    }
    int outerLabels = pieces.labels();
    for (long label : body.ins.get(table).operands()) {
      if (label > n
          && (label - n - 1 >= outerLabels || pieces.labelArity((int) (label - n - 1)) != 0)) {
        return null;
      }
    }
    // the cases, in groups of at most MAX_PIECE_BYTES of code and MAX_PARAM_SLOTS parameters
    Chain probe = new Chain(blocks, table, null, null, null);
    List<Integer> starts = new ArrayList<>();
    List<Pieces.Uses> uses = new ArrayList<>();
    List<GroupExits> exits = new ArrayList<>();
    int k = 0;
    while (k < n) {
      int first = k;
      int bytes = 0;
      while (k < n) {
        int size = body.size(probe.caseFrom(body.match, k), probe.caseTo(body.match, k));
        if (size > FunctionSplitter.MAX_PIECE_BYTES) {
          return null; // a case too big for a group of its own: not split as a chain
        }
        if (k > first
            && (bytes + size > FunctionSplitter.MAX_PIECE_BYTES
                || slots(groupUses(probe, first, k + 1)) > Pieces.MAX_PARAM_SLOTS)) {
          break;
        }
        bytes += size;
        k++;
      }
      if (slots(groupUses(probe, first, k)) > Pieces.MAX_PARAM_SLOTS) {
        return null;
      }
      GroupExits e = groupExits(probe, first, k);
      if (e == null) {
        return null;
      }
      starts.add(first);
      uses.add(groupUses(probe, first, k));
      exits.add(e);
    }
    starts.add(n);
    return new Chain(
        blocks, table, starts.stream().mapToInt(Integer::intValue).toArray(), uses, exits);
  }

  /** Whether instructions branch or return out of themselves. */
  private boolean leaves(int from, int to) {
    int depth = 0;
    for (int i = from; i < to; i++) {
      FunctionBody.Ins in = body.ins.get(i);
      OpCode op = in.opcode();
      if (isOpener(op)) {
        depth++;
      } else if (op == OpCode.END) {
        depth--;
      } else if ((op == OpCode.BR || op == OpCode.BR_IF) && in.operand(0) >= depth) {
        return true;
      } else if (op == OpCode.BR_TABLE) {
        for (long label : in.operands()) {
          if (label >= depth) {
            return true;
          }
        }
      } else if (endsReachability(op) && op != OpCode.UNREACHABLE && op != OpCode.BR) {
        return true; // a return, a tail call or a throw
      }
    }
    return false;
  }

  /** The locals cases {@code from} to {@code to} (exclusive) of a chain use and write. */
  private Pieces.Uses groupUses(Chain chain, int from, int to) {
    TreeSet<Integer> used = new TreeSet<>();
    TreeSet<Integer> written = new TreeSet<>();
    for (int k = from; k < to; k++) {
      Pieces.Uses u = pieces.uses(chain.caseFrom(body.match, k), chain.caseTo(body.match, k));
      used.addAll(u.used());
      written.addAll(u.written());
    }
    return new Pieces.Uses(new ArrayList<>(used), new ArrayList<>(written));
  }

  /** JVM parameter slots of a group's function: the instance, the memory, the case, the locals. */
  private int slots(Pieces.Uses uses) {
    int slots = 3;
    for (int index : uses.used()) {
      slots += pieces.slots(index);
    }
    return slots;
  }

  /**
   * Where a branch from case {@code k} of a chain, {@code t} labels out from the case's own level,
   * goes: {@code 0..n} a case, {@code n + 1 + o} the label {@code o} around the chain.
   */
  private static int target(int k, long t) {
    return (int) (k + 1 + t);
  }

  /** How cases {@code from} to {@code to} leave the group they form; null if they cannot move. */
  private GroupExits groupExits(Chain chain, int from, int to) {
    int n = chain.n();
    int function = pieces.labels() - 1;
    boolean toCases = false;
    boolean returns = false;
    TreeSet<Integer> outer = new TreeSet<>();
    for (int k = from; k < to; k++) {
      int depth = 0;
      for (int i = chain.caseFrom(body.match, k); i < chain.caseTo(body.match, k); i++) {
        FunctionBody.Ins in = body.ins.get(i);
        OpCode op = in.opcode();
        if (isOpener(op)) {
          depth++;
        } else if (op == OpCode.END) {
          depth--;
        } else if (op == OpCode.BR || op == OpCode.BR_IF) {
          if (in.operand(0) < depth) {
            continue;
          }
          int m = target(k, in.operand(0) - depth);
          if (m < to) {
            continue; // a case of the group: the branch stays as it is
          }
          if (m <= n) {
            toCases = true;
            continue;
          }
          int o = m - n - 1;
          if (pieces.labelArity(o) == 0) {
            outer.add(o);
          } else if (op == OpCode.BR && o == function) {
            returns = true;
          } else {
            return null;
          }
        } else if (op == OpCode.BR_TABLE) {
          for (long label : in.operands()) {
            if (label >= depth && target(k, label - depth) >= to) {
              return null; // a table out of the group: left to the statement splitting
            }
          }
        } else if (op == OpCode.RETURN) {
          returns = true;
        } else if (FunctionBody.pinsItsRun(op)) {
          return null;
        }
      }
    }
    return new GroupExits(toCases, outer, returns);
  }

  /**
   * Emits a dispatch chain split in place of its outermost block. The chain's prefix stays and
   * computes the table's index; a lookup function maps it to the case the table would branch to (or
   * a label around the chain), kept in a local; then
   *
   * <pre>
   * block $after            ;; branching here runs what follows the chain (case n)
   *   loop $dispatch
   *     block $G(m-1) … block $G0
   *       ;; case n: br $after; a label around the chain: br to it;
   *       ;; else br to the block of the group holding the case
   *     end  call group 0 (case, locals) … take its exit; case = first case of group 1
   *     end  call group 1 …
   *     …
   *   end
   * end
   * </pre>
   *
   * A group's function opens a block per case, enters at its case by a {@code br_table}, and leaves
   * with an exit code as a moved statement run does (see {@link StatementOutliner}): 0 when it
   * falls through; {@code 1 + m - end} to go to a later case {@code m} (the call site sets the case
   * and loops to the dispatch); above those, a label around the chain, then a return.
   */
  void emit(ByteArrayOutputStream out, Chain chain) {
    int caseLocal = pieces.caseLocal();
    int n = chain.n();
    int groups = chain.groups().length - 1;
    long[] labels = body.ins.get(chain.table()).operands();
    // the prefix, then the case
    body.copy(out, chain.blocks()[0] + 1, chain.table());
    out.write(OpCode.CALL.opcode());
    writeU32(out, ChainLookup.add(pieces.functions, labels));
    localOp(out, OpCode.LOCAL_SET, caseLocal);
    out.write(OpCode.BLOCK.opcode());
    out.write(0x40);
    out.write(OpCode.LOOP.opcode());
    out.write(0x40);
    for (int g = 0; g < groups; g++) {
      out.write(OpCode.BLOCK.opcode());
      out.write(0x40);
    }
    // the dispatch, inside $G0: $Gg is label g, $dispatch groups, $after groups + 1
    localOp(out, OpCode.LOCAL_GET, caseLocal);
    constI32(out, n);
    out.write(OpCode.I32_EQ.opcode());
    out.write(OpCode.BR_IF.opcode());
    writeU32(out, groups + 1);
    TreeSet<Integer> around = new TreeSet<>();
    for (long label : labels) {
      if (label > n) {
        around.add((int) (label - n - 1));
      }
    }
    for (int o : around) {
      localOp(out, OpCode.LOCAL_GET, caseLocal);
      constI32(out, n + 1 + o);
      out.write(OpCode.I32_EQ.opcode());
      out.write(OpCode.BR_IF.opcode());
      writeU32(out, groups + 2 + o);
    }
    for (int g = groups - 1; g > 0; g--) {
      localOp(out, OpCode.LOCAL_GET, caseLocal);
      constI32(out, chain.groups()[g]);
      out.write(OpCode.I32_GE_U.opcode());
      out.write(OpCode.BR_IF.opcode());
      writeU32(out, g);
    }
    for (int g = 0; g < groups; g++) {
      out.write(OpCode.END.opcode());
      emitGroupCall(out, chain, g, caseLocal);
    }
    out.write(OpCode.END.opcode()); // $dispatch
    out.write(OpCode.END.opcode()); // $after
  }

  /** Emits the call of a chain's group, after its block's end, and takes the group's exit. */
  private void emitGroupCall(ByteArrayOutputStream out, Chain chain, int g, int caseLocal) {
    int groups = chain.groups().length - 1;
    int end = chain.groups()[g + 1];
    int n = chain.n();
    Pieces.Uses uses = chain.uses().get(g);
    GroupExits exits = chain.exits().get(g);
    int open = groups - 1 - g; // group blocks still open around the call: $dispatch is label open
    localOp(out, OpCode.LOCAL_GET, caseLocal);
    for (int index : uses.used()) {
      localOp(out, OpCode.LOCAL_GET, index);
    }
    out.write(OpCode.CALL.opcode());
    writeU32(out, groupFunction(chain, g));
    int code = pieces.exitCodeLocal();
    localOp(out, OpCode.LOCAL_SET, code);
    if (exits.returns()) {
      for (int k = pieces.results.size() - 1; k >= 0; k--) {
        localOp(out, OpCode.LOCAL_SET, code + 1 + k);
      }
    }
    for (int k = uses.written().size() - 1; k >= 0; k--) {
      localOp(out, OpCode.LOCAL_SET, uses.written().get(k));
    }
    if (exits.toCases() || !exits.outer().isEmpty() || exits.returns()) {
      localOp(out, OpCode.LOCAL_GET, code);
      out.write(OpCode.IF.opcode());
      out.write(0x40);
      if (exits.toCases()) { // codes 1 .. n - end + 1: case end + code - 1
        localOp(out, OpCode.LOCAL_GET, code);
        constI32(out, n - end + 2);
        out.write(OpCode.I32_LT_U.opcode());
        out.write(OpCode.IF.opcode());
        out.write(0x40);
        localOp(out, OpCode.LOCAL_GET, code);
        constI32(out, end - 1);
        out.write(OpCode.I32_ADD.opcode());
        localOp(out, OpCode.LOCAL_SET, caseLocal);
        out.write(OpCode.BR.opcode());
        writeU32(out, open + 2);
        out.write(OpCode.END.opcode());
      }
      for (int o : exits.outer()) {
        localOp(out, OpCode.LOCAL_GET, code);
        constI32(out, n - end + 2 + o);
        out.write(OpCode.I32_EQ.opcode());
        out.write(OpCode.BR_IF.opcode());
        writeU32(out, open + 3 + o); // past the if, $dispatch and $after
      }
      if (exits.returns()) {
        for (int k = 0; k < pieces.results.size(); k++) {
          localOp(out, OpCode.LOCAL_GET, code + 1 + k);
        }
        out.write(OpCode.RETURN.opcode());
      } else {
        out.write(OpCode.UNREACHABLE.opcode());
      }
      out.write(OpCode.END.opcode());
    }
    if (g + 1 < groups) {
      constI32(out, end); // fell through into the next group's first case
      localOp(out, OpCode.LOCAL_SET, caseLocal);
    }
  }

  /** Adds the function of a chain's group: (case, used locals) → (written, [results], exit). */
  private int groupFunction(Chain chain, int g) {
    int first = chain.groups()[g];
    int end = chain.groups()[g + 1];
    int n = chain.n();
    Pieces.Uses uses = chain.uses().get(g);
    GroupExits exits = chain.exits().get(g);
    int[] renumber = new int[body.localTypes.size()];
    for (int k = 0; k < uses.used().size(); k++) {
      renumber[uses.used().get(k)] = 1 + k;
    }
    int resultBase = 1 + uses.used().size();
    int codeLocal = resultBase + (exits.returns() ? pieces.results.size() : 0);
    int returnCode = n - end + 2 + pieces.labels();
    int function = pieces.labels() - 1;
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    pieces.openExitBlock(b, exits.returns());
    int cases = end - first;
    for (int k = 0; k < cases; k++) {
      b.write(OpCode.BLOCK.opcode());
      b.write(0x40);
    }
    localOp(b, OpCode.LOCAL_GET, 0);
    constI32(b, first);
    b.write(OpCode.I32_SUB.opcode());
    b.write(OpCode.BR_TABLE.opcode());
    writeU32(b, cases);
    for (int k = 0; k < cases; k++) {
      writeU32(b, k);
    }
    writeU32(b, 0);
    for (int k = first; k < end; k++) {
      b.write(OpCode.END.opcode());
      int out = end - 1 - k; // blocks between the case's level and the exit block
      int from = chain.caseFrom(body.match, k);
      int to = chain.caseTo(body.match, k);
      int copied = from;
      int depth = 0;
      for (int i = from; i < to; i++) {
        FunctionBody.Ins in = body.ins.get(i);
        OpCode op = in.opcode();
        boolean rewrite;
        if (isOpener(op)) {
          depth++;
          rewrite = false;
        } else if (op == OpCode.END) {
          depth--;
          rewrite = false;
        } else if (op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) {
          rewrite = true;
        } else if (op == OpCode.RETURN) {
          rewrite = true;
        } else if (op == OpCode.BR || op == OpCode.BR_IF) {
          rewrite = in.operand(0) >= depth && target(k, in.operand(0) - depth) >= end;
        } else {
          rewrite = false;
        }
        if (!rewrite) {
          continue;
        }
        if (i > copied) {
          body.copy(b, copied, i);
        }
        copied = i + 1;
        if (op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) {
          localOp(b, op, renumber[(int) in.operand(0)]);
          continue;
        }
        int toExit = depth + out;
        int m = op == OpCode.RETURN ? -1 : target(k, in.operand(0) - depth);
        if (m < 0 || (m > n && m - n - 1 == function && pieces.labelArity(function) != 0)) {
          pieces.returnExit(b, resultBase, returnCode, toExit);
        } else {
          Pieces.exitBranch(b, op, m <= n ? 1 + m - end : n - end + 2 + (m - n - 1), toExit);
        }
      }
      if (to > copied) {
        body.copy(b, copied, to);
      }
    }
    pieces.closeBody(
        b, codeLocal, uses, renumber, exits.returns(), resultBase); // after the last case
    List<ValType> params = new ArrayList<>();
    params.add(ValType.I32);
    for (int index : uses.used()) {
      params.add(body.localTypes.get(index));
    }
    List<ValType> returns = new ArrayList<>();
    for (int index : uses.written()) {
      returns.add(body.localTypes.get(index));
    }
    if (exits.returns()) {
      returns.addAll(pieces.results);
    }
    returns.add(ValType.I32);
    return pieces.functions.add(params, returns, b.toByteArray());
  }
}

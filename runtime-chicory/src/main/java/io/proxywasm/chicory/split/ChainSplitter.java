package io.proxywasm.chicory.split;

import static io.proxywasm.chicory.split.FunctionBody.endsReachability;
import static io.proxywasm.chicory.split.FunctionBody.isOpener;
import static io.proxywasm.chicory.split.WasmBytes.branch;
import static io.proxywasm.chicory.split.WasmBytes.branchIfEquals;
import static io.proxywasm.chicory.split.WasmBytes.constI32;
import static io.proxywasm.chicory.split.WasmBytes.localOp;
import static io.proxywasm.chicory.split.WasmBytes.open;
import static io.proxywasm.chicory.split.WasmBytes.writeU32;

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
  private final FunctionBody body;
  private final StackHeights heights;
  private final Runs runs;
  private final Pieces pieces;

  ChainSplitter(FunctionBody body, StackHeights heights, Runs runs, Pieces pieces) {
    this.body = body;
    this.heights = heights;
    this.runs = runs;
    this.pieces = pieces;
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
   * @param exits how each group leaves itself other than by falling through: to later cases of the
   *     chain (at or after the group's end), to labels around the chain, or by returning
   */
  record Chain(
      int[] blocks, int table, int[] groups, List<Runs.Uses> uses, List<Runs.Exits> exits) {
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
    if (heights.height(blocks[0] + 1, table) != 1 || leaves(blocks[0] + 1, table)) {
      return null;
    }
    int outerLabels = runs.labels();
    for (long label : body.ins.get(table).operands()) {
      if (label > n
          && (label - n - 1 >= outerLabels || runs.labelArity((int) (label - n - 1)) != 0)) {
        return null;
      }
    }
    // the cases, in groups of at most MAX_PIECE_BYTES of code and MAX_PARAM_SLOTS parameters
    Chain probe = new Chain(blocks, table, null, null, null);
    List<Integer> starts = new ArrayList<>();
    List<Runs.Uses> uses = new ArrayList<>();
    List<Runs.Exits> exits = new ArrayList<>();
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
                || groupSlots(probe, first, k + 1) > Runs.MAX_PARAM_SLOTS)) {
          break;
        }
        bytes += size;
        k++;
      }
      if (groupSlots(probe, first, k) > Runs.MAX_PARAM_SLOTS) {
        return null;
      }
      Runs.Exits e = groupExits(probe, first, k);
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
      depth += isOpener(op) ? 1 : op == OpCode.END ? -1 : 0;
      if (FunctionBody.branchesOut(in, depth)) {
        return true;
      }
      if (endsReachability(op)
          && op != OpCode.UNREACHABLE
          && op != OpCode.BR
          && op != OpCode.BR_TABLE) {
        return true; // a return, a tail call or a throw
      }
    }
    return false;
  }

  /** The locals cases {@code from} to {@code to} (exclusive) of a chain use and hand back. */
  private Runs.Uses groupUses(Chain chain, int from, int to) {
    List<int[]> ranges = new ArrayList<>();
    for (int k = from; k < to; k++) {
      ranges.add(new int[] {chain.caseFrom(body.match, k), chain.caseTo(body.match, k)});
    }
    return runs.uses(ranges);
  }

  /**
   * JVM parameter slots of the function of cases {@code from} to {@code to} (exclusive) of a chain:
   * the instance, the memory, the case, the locals.
   */
  private int groupSlots(Chain chain, int from, int to) {
    TreeSet<Integer> used = new TreeSet<>();
    TreeSet<Integer> written = new TreeSet<>();
    for (int k = from; k < to; k++) {
      runs.addUses(chain.caseFrom(body.match, k), chain.caseTo(body.match, k), used, written);
    }
    int slots = 3;
    for (int index : used) {
      slots += runs.slots(index);
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

  /**
   * Where a branch from case {@code k} goes for the group of cases that ends before case {@code
   * end}: inside it, to a later case, or to a label around the chain.
   */
  private static Runs.Targets groupTargets(Chain chain, int k, int end) {
    return t -> {
      int m = target(k, t);
      return m < end ? Runs.INSIDE : m <= chain.n() ? Runs.LATER_CASE : m - chain.n() - 1;
    };
  }

  /** How cases {@code from} to {@code to} leave the group they form; null if they cannot move. */
  private Runs.Exits groupExits(Chain chain, int from, int to) {
    Runs.Exits exits = new Runs.Exits(new TreeSet<>(), false, false);
    for (int k = from; k < to && exits != null; k++) {
      // a table out of the group is left to the statement splitting
      exits =
          runs.exits(
              chain.caseFrom(body.match, k),
              chain.caseTo(body.match, k),
              groupTargets(chain, k, to),
              false,
              exits);
    }
    return exits;
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
    open(out, OpCode.BLOCK);
    open(out, OpCode.LOOP);
    for (int g = 0; g < groups; g++) {
      open(out, OpCode.BLOCK);
    }
    // the dispatch, inside $G0: $Gg is label g, $dispatch groups, $after groups + 1
    branchIfEquals(out, caseLocal, n, groups + 1);
    TreeSet<Integer> around = new TreeSet<>();
    for (long label : labels) {
      if (label > n) {
        around.add((int) (label - n - 1));
      }
    }
    for (int o : around) {
      branchIfEquals(out, caseLocal, n + 1 + o, groups + 2 + o);
    }
    for (int g = groups - 1; g > 0; g--) {
      localOp(out, OpCode.LOCAL_GET, caseLocal);
      constI32(out, chain.groups()[g]);
      out.write(OpCode.I32_GE_U.opcode());
      branch(out, OpCode.BR_IF, g);
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
    Runs.Exits exits = chain.exits().get(g);
    int inside =
        groups - 1 - g; // group blocks still open around the call: $dispatch is label inside
    int function = groupFunction(chain, g);
    localOp(out, OpCode.LOCAL_GET, caseLocal);
    pieces.call(out, function, chain.uses().get(g), true, exits.returns());
    int code = pieces.exitCodeLocal();
    if (exits.any()) {
      localOp(out, OpCode.LOCAL_GET, code);
      open(out, OpCode.IF);
      if (exits.toCases()) { // codes 1 .. n - end + 1: case end + code - 1
        localOp(out, OpCode.LOCAL_GET, code);
        constI32(out, n - end + 2);
        out.write(OpCode.I32_LT_U.opcode());
        open(out, OpCode.IF);
        localOp(out, OpCode.LOCAL_GET, code);
        constI32(out, end - 1);
        out.write(OpCode.I32_ADD.opcode());
        localOp(out, OpCode.LOCAL_SET, caseLocal);
        branch(out, OpCode.BR, inside + 2);
        out.write(OpCode.END.opcode());
      }
      for (int o : exits.labels()) {
        branchIfEquals(
            out, code, n - end + 2 + o, inside + 3 + o); // past the if, $dispatch, $after
      }
      pieces.endExits(out, exits.returns());
    }
    if (g + 1 < groups) {
      constI32(out, end); // fell through into the next group's first case
      localOp(out, OpCode.LOCAL_SET, caseLocal);
    }
  }

  /**
   * Adds the function of a chain's group: (case, used locals) → (live written locals, [results],
   * exit).
   */
  private int groupFunction(Chain chain, int g) {
    int first = chain.groups()[g];
    int end = chain.groups()[g + 1];
    int n = chain.n();
    Runs.Uses uses = chain.uses().get(g);
    boolean returns = chain.exits().get(g).returns();
    Pieces.Piece piece = pieces.piece(uses, 1, returns);
    int function = runs.labels() - 1;
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    pieces.openExitBlock(b, returns);
    int cases = end - first;
    for (int k = 0; k < cases; k++) {
      open(b, OpCode.BLOCK);
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
      int kase = k;
      Runs.Targets targets = groupTargets(chain, k, end);
      // a later case m leaves with 1 + m - end, a label o around the chain above those
      Pieces.ExitCodes codes =
          t -> {
            int o = targets.of(t);
            if (o == Runs.INSIDE) {
              return Pieces.STAYS;
            }
            if (o == Runs.LATER_CASE) {
              return 1 + target(kase, t) - end;
            }
            return o == function && runs.labelArity(function) != 0
                ? Pieces.RETURNS
                : n - end + 2 + o;
          };
      // blocks between the case's level and the exit block: those of the later cases
      pieces.copyRun(
          b,
          piece,
          chain.caseFrom(body.match, k),
          chain.caseTo(body.match, k),
          end - 1 - k,
          codes,
          n - end + 2 + runs.labels());
    }
    pieces.closeBody(b, piece, true); // after the last case
    List<ValType> params = new ArrayList<>();
    params.add(ValType.I32);
    params.addAll(pieces.types(uses.used()));
    return pieces.functions.add(params, pieces.returned(uses, returns, true), b.toByteArray());
  }
}

package io.proxywasm.chicory.split;

import static io.proxywasm.chicory.split.FunctionBody.isOpener;

import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a run of instructions of the function being split does at its edges, as the outliner and the
 * dispatch-chain splitter need it to move the run: the locals it uses and writes, and how it leaves
 * itself (branches to the labels around the level being emitted, returns). Keeps the arities of
 * those labels as the splitter descends into blocks.
 */
final class Runs {
  /** The most JVM parameter slots a new function may take (the JVM allows 255). */
  static final int MAX_PARAM_SLOTS = 180;

  private final FunctionBody body;

  /** Which locals are live where, for what a run hands back. */
  private final Liveness liveness;

  /**
   * The arities of the labels around the level being emitted, outermost (the function body) first:
   * the values a branch to each carries.
   */
  private final List<Integer> labelArities = new ArrayList<>();

  /**
   * Starts at the level of the function's body.
   *
   * @param results how many results the function has: the arity of its body's label
   */
  Runs(FunctionBody body, int results) {
    this.body = body;
    this.liveness = new Liveness(body);
    labelArities.add(results);
  }

  /** Enters a block, loop or if whose label carries {@code arity} values. */
  void enter(int arity) {
    labelArities.add(arity);
  }

  void leave() {
    labelArities.remove(labelArities.size() - 1);
  }

  /** How many labels are around the level being emitted, the function's own included. */
  int labels() {
    return labelArities.size();
  }

  /** The arity of an enclosing label, 0 the innermost around the level being emitted. */
  int labelArity(int o) {
    return labelArities.get(labelArities.size() - 1 - o);
  }

  /**
   * The locals a run uses (ascending) and, of them, those it writes that are live after it: read,
   * before they are written again, where the run may leave itself to. Those are the locals its new
   * function returns to the call site; a local it writes and nobody reads after it keeps its old
   * value there.
   */
  record Uses(List<Integer> used, List<Integer> written) {}

  /** The locals instructions {@code from} to {@code to} (exclusive) use and return. */
  Uses uses(int from, int to) {
    return uses(List.of(new int[] {from, to}));
  }

  /**
   * The locals some ranges of instructions moved together use and return.
   *
   * @param ranges the ranges, each {@code {from, to}} (exclusive)
   */
  Uses uses(List<int[]> ranges) {
    TreeSet<Integer> used = new TreeSet<>();
    TreeSet<Integer> written = new TreeSet<>();
    BitSet live = new BitSet();
    boolean known = true;
    for (int[] range : ranges) {
      addUses(range[0], range[1], used, written);
      known &= liveness.addLiveAfter(range[0], range[1], live);
    }
    if (known) {
      written.removeIf(local -> !live.get(local));
    }
    return new Uses(new ArrayList<>(used), new ArrayList<>(written));
  }

  /** Adds the locals instructions {@code from} to {@code to} (exclusive) use and write. */
  void addUses(int from, int to, TreeSet<Integer> used, TreeSet<Integer> written) {
    for (int i = from; i < to; i++) {
      FunctionBody.Ins in = body.ins.get(i);
      OpCode op = in.opcode();
      if (FunctionBody.isLocalOp(op)) {
        int index = (int) in.operand(0);
        used.add(index);
        if (op != OpCode.LOCAL_GET) {
          written.add(index);
        }
      }
    }
  }

  /** JVM slots a local takes as a parameter. */
  int slots(int local) {
    ValType t = body.localTypes.get(local);
    return t.opcode() == ValType.I64.opcode() || t.opcode() == ValType.F64.opcode() ? 2 : 1;
  }

  /**
   * How a run leaves itself other than by falling through: the enclosing labels it branches to
   * (numbered from the innermost enclosing the level it was taken from, 0), whether it returns, and
   * (for a group of a dispatch chain's cases) whether it goes on to a later case.
   */
  record Exits(SortedSet<Integer> labels, boolean returns, boolean toCases) {
    boolean any() {
      return returns || toCases || !labels.isEmpty();
    }
  }

  /**
   * Where a branch goes that leaves a run {@code t} labels out from the run's own level: {@link
   * #INSIDE} code moved with the run, {@link #LATER_CASE} a later case of a dispatch chain, or the
   * enclosing label {@code o >= 0} (0 the innermost around the level being emitted).
   */
  interface Targets {
    int of(long t);
  }

  /** A {@link Targets} answer: the branch stays inside the code moved. */
  static final int INSIDE = -1;

  /** A {@link Targets} answer: the branch goes to a later case of a dispatch chain. */
  static final int LATER_CASE = -2;

  /**
   * The exits of a run, or null if it cannot move: a branch out of it that carries values (other
   * than to the function's own label, which is a return), a conditional or table branch out of it
   * that would, a tail call, or a reference-typed branch.
   */
  Exits exits(int from, int to) {
    return exits(from, to, t -> (int) t, true, new Exits(new TreeSet<>(), false, false));
  }

  /**
   * The exits of a run so far with those of instructions {@code from} to {@code to} (exclusive)
   * added (into the labels of {@code so}), or null if they cannot move (see {@link #exits(int,
   * int)}).
   *
   * @param targets where a branch out of the instructions goes
   * @param tablesLeave whether a {@code br_table} may branch out of the code moved
   */
  Exits exits(int from, int to, Targets targets, boolean tablesLeave, Exits so) {
    SortedSet<Integer> labels = so.labels();
    boolean returns = so.returns();
    boolean toCases = so.toCases();
    int function = labelArities.size() - 1; // the function's label
    int depth = 0;
    for (int i = from; i < to; i++) {
      FunctionBody.Ins in = body.ins.get(i);
      OpCode op = in.opcode();
      if (isOpener(op)) {
        depth++;
      } else if (op == OpCode.END) {
        depth--;
      } else if ((op == OpCode.BR || op == OpCode.BR_IF) && in.operand(0) >= depth) {
        int o = targets.of(in.operand(0) - depth);
        if (o == LATER_CASE) {
          toCases = true;
        } else if (o >= 0 && labelArity(o) == 0) {
          labels.add(o);
        } else if (o >= 0 && op == OpCode.BR && o == function) {
          returns = true;
        } else if (o >= 0) {
          return null;
        }
      } else if (op == OpCode.BR_TABLE) {
        for (long label : in.operands()) {
          int o = label >= depth ? targets.of(label - depth) : INSIDE;
          if (o != INSIDE && (!tablesLeave || o < 0 || labelArity(o) != 0)) {
            return null;
          }
          if (o >= 0) {
            labels.add(o);
          }
        }
      } else if (op == OpCode.RETURN) {
        returns = true;
      } else if (FunctionBody.pinsItsRun(op)) {
        return null;
      }
    }
    return new Exits(labels, returns, toCases);
  }
}

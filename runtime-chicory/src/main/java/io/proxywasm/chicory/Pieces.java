package io.proxywasm.chicory;

import static io.proxywasm.chicory.FunctionBody.isOpener;
import static io.proxywasm.chicory.WasmBytes.constI32;
import static io.proxywasm.chicory.WasmBytes.localOp;
import static io.proxywasm.chicory.WasmBytes.writeU32;

import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One round of splitting one function, as the statement outliner and the dispatch-chain splitter
 * share it: the labels around the level being emitted, the locals a run of instructions uses, how
 * it leaves itself, and the convention by which a piece (code moved to a new function) and its call
 * site agree on exits: the piece wraps its code in a block whose i32 result is an exit code, and
 * the call site stores what the piece returns into the function's locals and takes the same exit.
 */
final class Pieces {
  /** The most JVM parameter slots a new function may take (the JVM allows 255). */
  static final int MAX_PARAM_SLOTS = 180;

  final FunctionBody body;
  final StackHeights heights;
  final NewFunctions functions;

  /** The result types of the function being split. */
  final List<ValType> results;

  /**
   * The arities of the labels around the level being emitted, outermost (the function body) first:
   * the values a branch to each carries.
   */
  private final List<Integer> labelArities = new ArrayList<>();

  /** Whether a call site in the function stores an exit code and results. */
  private boolean exitLocalsUsed;

  /** Whether a split dispatch chain of the function keeps its case in a local. */
  private boolean caseLocalUsed;

  Pieces(FunctionBody body, StackHeights heights, NewFunctions functions, List<ValType> results) {
    this.body = body;
    this.heights = heights;
    this.functions = functions;
    this.results = results;
    labelArities.add(results.size()); // the function body's label
  }

  // ---- the function's labels and locals -------------------------------------------------------

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

  /** The local of the function being split that holds a piece's exit code at its call site. */
  int exitCodeLocal() {
    return body.localTypes.size();
  }

  /** Notes that a call site stores a piece's exit code (and results) into the added locals. */
  void useExitLocals() {
    exitLocalsUsed = true;
  }

  /** The local that holds the case of a split dispatch chain. */
  int caseLocal() {
    exitLocalsUsed = true;
    caseLocalUsed = true;
    return exitCodeLocal() + 1 + results.size();
  }

  /**
   * The locals the function needs declared after its own: those the call sites of pieces with exits
   * store into (the exit code, the results) and the case a split dispatch chain goes to.
   */
  List<ValType> addedLocals() {
    List<ValType> more = new ArrayList<>();
    if (exitLocalsUsed) {
      more.add(ValType.I32);
      more.addAll(results);
      if (caseLocalUsed) {
        more.add(ValType.I32);
      }
    }
    return more;
  }

  /** The exit code of a piece that returned: above every label's code. */
  int returnCode() {
    return 1 + labelArities.size();
  }

  // ---- what a run does ------------------------------------------------------------------------

  /** The locals a run uses (ascending) and, of them, those it writes. */
  record Uses(List<Integer> used, List<Integer> written) {}

  Uses uses(int from, int to) {
    TreeSet<Integer> used = new TreeSet<>();
    TreeSet<Integer> written = new TreeSet<>();
    for (int i = from; i < to; i++) {
      FunctionBody.Ins in = body.ins.get(i);
      OpCode op = in.opcode();
      if (op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) {
        int index = (int) in.operand(0);
        used.add(index);
        if (op != OpCode.LOCAL_GET) {
          written.add(index);
        }
      }
    }
    return new Uses(new ArrayList<>(used), new ArrayList<>(written));
  }

  /** JVM slots a local takes as a parameter. */
  int slots(int local) {
    ValType t = body.localTypes.get(local);
    return t.opcode() == ValType.I64.opcode() || t.opcode() == ValType.F64.opcode() ? 2 : 1;
  }

  /**
   * How a run leaves itself other than by falling through: the enclosing labels it branches to
   * (numbered from the innermost enclosing the run, 0) and whether it returns.
   */
  record Exits(SortedSet<Integer> labels, boolean returns) {
    boolean any() {
      return returns || !labels.isEmpty();
    }
  }

  /**
   * The exits of a run, or null if it cannot move: a branch out of it that carries values (other
   * than to the function's own label, which is a return), a conditional or table branch out of it
   * that would, a tail call, or a reference-typed branch.
   */
  Exits exits(int from, int to) {
    TreeSet<Integer> labels = new TreeSet<>();
    boolean returns = false;
    int outer = labelArities.size() - 1; // the function's label, counted from the run
    int depth = 0;
    for (int i = from; i < to; i++) {
      FunctionBody.Ins in = body.ins.get(i);
      OpCode op = in.opcode();
      if (isOpener(op)) {
        depth++;
      } else if (op == OpCode.END) {
        depth--;
      } else if (op == OpCode.BR || op == OpCode.BR_IF) {
        long label = in.operand(0);
        if (label >= depth) {
          int o = (int) (label - depth);
          if (labelArity(o) == 0) {
            labels.add(o);
          } else if (op == OpCode.BR && o == outer) {
            returns = true;
          } else {
            return null;
          }
        }
      } else if (op == OpCode.BR_TABLE) {
        for (long label : in.operands()) {
          if (label >= depth) {
            int o = (int) (label - depth);
            if (labelArity(o) != 0) {
              return null;
            }
            labels.add(o);
          }
        }
      } else if (op == OpCode.RETURN) {
        returns = true;
      } else if (FunctionBody.pinsItsRun(op)) {
        return null;
      }
    }
    return new Exits(labels, returns);
  }

  // ---- the piece's side -----------------------------------------------------------------------

  /**
   * Starts the body of a new function that leaves with an exit code: its own locals (the function's
   * results if it may return, then the exit code) and the block whose i32 result is the code.
   */
  void openExitBlock(ByteArrayOutputStream b, boolean returns) {
    List<ValType> own = new ArrayList<>();
    if (returns) {
      own.addAll(results);
    }
    own.add(ValType.I32);
    writeU32(b, own.size());
    for (ValType t : own) {
      writeU32(b, 1);
      b.write(t.opcode());
    }
    b.write(OpCode.BLOCK.opcode());
    b.write(ValType.I32.opcode()); // the exit code
  }

  /** Leaves a new function's exit block with a code: {@code br}, or {@code br_if} as an if. */
  static void exitBranch(ByteArrayOutputStream b, OpCode op, int exitCode, int toExit) {
    if (op == OpCode.BR) {
      constI32(b, exitCode);
      b.write(OpCode.BR.opcode());
      writeU32(b, toExit);
    } else { // br_if: branch with the code when the condition holds
      b.write(OpCode.IF.opcode());
      b.write(0x40);
      constI32(b, exitCode);
      b.write(OpCode.BR.opcode());
      writeU32(b, toExit + 1);
      b.write(OpCode.END.opcode());
    }
  }

  /** A return from inside a new function: keeps the results and leaves with the return code. */
  void returnExit(ByteArrayOutputStream b, int resultBase, int returnCode, int toExit) {
    for (int k = results.size() - 1; k >= 0; k--) {
      localOp(b, OpCode.LOCAL_SET, resultBase + k);
    }
    constI32(b, returnCode);
    b.write(OpCode.BR.opcode());
    writeU32(b, toExit);
  }

  /**
   * Ends a new function's body: closes its exit block (falling through is code 0) when it has one
   * ({@code codeLocal >= 0}), then returns the locals it wrote, the function's results if it may
   * return, and the exit code.
   */
  void closeBody(
      ByteArrayOutputStream b,
      int codeLocal,
      Uses uses,
      int[] renumber,
      boolean returns,
      int resultBase) {
    if (codeLocal >= 0) {
      constI32(b, 0); // fell through
      b.write(OpCode.END.opcode());
      localOp(b, OpCode.LOCAL_SET, codeLocal);
    }
    for (int index : uses.written()) {
      localOp(b, OpCode.LOCAL_GET, renumber[index]);
    }
    if (returns) {
      for (int k = 0; k < results.size(); k++) {
        localOp(b, OpCode.LOCAL_GET, resultBase + k);
      }
    }
    if (codeLocal >= 0) {
      localOp(b, OpCode.LOCAL_GET, codeLocal);
    }
    b.write(OpCode.END.opcode());
  }

  /**
   * Emits, in a piece, a {@code br_table} some of whose targets are out of the piece: its index is
   * kept in a local while one block opens per such target; the table branches to those blocks, and
   * after each one's end the piece leaves with that target's exit code.
   */
  static void branchTable(ByteArrayOutputStream b, FunctionBody.Ins in, int depth, int indexLocal) {
    List<Integer> outside = new ArrayList<>(); // exit labels, each at most once
    for (long label : in.operands()) {
      if (label >= depth && !outside.contains((int) (label - depth))) {
        outside.add((int) (label - depth));
      }
    }
    int m = outside.size();
    localOp(b, OpCode.LOCAL_SET, indexLocal);
    for (int j = 0; j < m; j++) {
      b.write(OpCode.BLOCK.opcode());
      b.write(0x40);
    }
    localOp(b, OpCode.LOCAL_GET, indexLocal);
    b.write(OpCode.BR_TABLE.opcode());
    long[] labels = in.operands();
    writeU32(b, labels.length - 1);
    for (long label : labels) {
      writeU32(b, label < depth ? label + m : outside.indexOf((int) (label - depth)));
    }
    for (int j = 0; j < m; j++) {
      b.write(OpCode.END.opcode());
      constI32(b, 1 + outside.get(j));
      b.write(OpCode.BR.opcode());
      writeU32(b, depth + m - 1 - j);
    }
  }
}

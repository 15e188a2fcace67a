package io.proxywasm.chicory.split;

import static io.proxywasm.chicory.split.FunctionBody.isOpener;
import static io.proxywasm.chicory.split.WasmBytes.branch;
import static io.proxywasm.chicory.split.WasmBytes.constI32;
import static io.proxywasm.chicory.split.WasmBytes.localOp;
import static io.proxywasm.chicory.split.WasmBytes.open;
import static io.proxywasm.chicory.split.WasmBytes.writeU32;

import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes pieces (runs of instructions moved to new functions) and their call sites, for the
 * statement outliner and the dispatch-chain splitter alike, by one convention: the piece takes the
 * locals the run uses as parameters, wraps the run in a block whose i32 result is an exit code (0
 * when it fell through) and returns the locals it wrote, the function's results if it returned and
 * the code; the call site stores them into the function's locals (and into locals added for the
 * code and results) and takes the same exit. Also keeps which locals the function gains.
 */
final class Pieces {
  final FunctionBody body;
  final NewFunctions functions;

  /** The result types of the function being split. */
  final List<ValType> results;

  private final Runs runs;

  /** Whether a call site in the function stores an exit code and results. */
  private boolean exitLocalsUsed;

  /** Whether a split dispatch chain of the function keeps its case in a local. */
  private boolean caseLocalUsed;

  Pieces(FunctionBody body, Runs runs, NewFunctions functions, List<ValType> results) {
    this.body = body;
    this.runs = runs;
    this.functions = functions;
    this.results = results;
  }

  // ---- the locals the function being split gains ----------------------------------------------

  /** The local of the function being split that holds a piece's exit code at its call site. */
  int exitCodeLocal() {
    return body.localTypes.size();
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
    return 1 + runs.labels();
  }

  // ---- the piece's side -----------------------------------------------------------------------

  /**
   * A new function being written for a run: the run's locals renumbered to its parameters, from
   * {@code firstParam} on, then its own locals: the function's results if it may return, and the
   * exit code.
   */
  record Piece(Runs.Uses uses, int[] renumber, boolean returns, int resultBase, int codeLocal) {}

  Piece piece(Runs.Uses uses, int firstParam, boolean returns) {
    int[] renumber = new int[body.localTypes.size()];
    for (int k = 0; k < uses.used().size(); k++) {
      renumber[uses.used().get(k)] = firstParam + k;
    }
    int resultBase = firstParam + uses.used().size();
    int codeLocal = resultBase + (returns ? results.size() : 0);
    return new Piece(uses, renumber, returns, resultBase, codeLocal);
  }

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

  /**
   * The exit code a branch out of a run takes, {@code t} labels out from the run's own level:
   * {@link #STAYS} if it stays in the code moved, {@link #RETURNS} if it returns from the function.
   */
  interface ExitCodes {
    int of(long t);
  }

  /** An {@link ExitCodes} answer: the branch stays as it is. */
  static final int STAYS = 0;

  /** An {@link ExitCodes} answer: the branch returns from the function. */
  static final int RETURNS = -1;

  /**
   * Copies a run into a piece: locals renumbered, and each branch out of the run and each return
   * turned into a branch out of the piece's exit block with the exit code.
   *
   * @param outside blocks the piece opened between the run's level and its exit block
   * @param returnCode the exit code of a return
   */
  void copyRun(
      ByteArrayOutputStream b,
      Piece piece,
      int from,
      int to,
      int outside,
      ExitCodes codes,
      int returnCode) {
    int copied = from;
    int depth = 0;
    for (int i = from; i < to; i++) {
      FunctionBody.Ins in = body.ins.get(i);
      OpCode op = in.opcode();
      if (isOpener(op) || op == OpCode.END) {
        depth += op == OpCode.END ? -1 : 1;
        continue;
      }
      boolean branch = op == OpCode.BR || op == OpCode.BR_IF;
      boolean leaves =
          op == OpCode.RETURN
              || (branch && in.operand(0) >= depth && codes.of(in.operand(0) - depth) != STAYS)
              || (op == OpCode.BR_TABLE && !outside(in, depth, codes).isEmpty());
      if (!FunctionBody.isLocalOp(op) && !leaves) {
        continue;
      }
      body.copy(b, copied, i);
      copied = i + 1;
      int toExit = depth + outside;
      if (FunctionBody.isLocalOp(op)) {
        localOp(b, op, piece.renumber()[(int) in.operand(0)]);
      } else if (op == OpCode.BR_TABLE) {
        branchTable(b, in, depth, toExit, piece.codeLocal(), codes);
      } else {
        int code = op == OpCode.RETURN ? RETURNS : codes.of(in.operand(0) - depth);
        if (code == RETURNS) { // keep the results, leave with the return code
          for (int k = results.size() - 1; k >= 0; k--) {
            localOp(b, OpCode.LOCAL_SET, piece.resultBase() + k);
          }
          exitBranch(b, OpCode.BR, returnCode, toExit);
        } else {
          exitBranch(b, op, code, toExit);
        }
      }
    }
    body.copy(b, copied, to);
  }

  /** Leaves a new function's exit block with a code: {@code br}, or {@code br_if} as an if. */
  private static void exitBranch(ByteArrayOutputStream b, OpCode op, int exitCode, int toExit) {
    if (op == OpCode.BR) {
      constI32(b, exitCode);
      branch(b, OpCode.BR, toExit);
    } else { // br_if: branch with the code when the condition holds
      open(b, OpCode.IF);
      constI32(b, exitCode);
      branch(b, OpCode.BR, toExit + 1);
      b.write(OpCode.END.opcode());
    }
  }

  /** The targets out of a piece of a {@code br_table}, {@code t} from its level, each once. */
  private static List<Integer> outside(FunctionBody.Ins in, int depth, ExitCodes codes) {
    List<Integer> outside = new ArrayList<>();
    for (long label : in.operands()) {
      int t = (int) (label - depth);
      if (label >= depth && codes.of(t) != STAYS && !outside.contains(t)) {
        outside.add(t);
      }
    }
    return outside;
  }

  /**
   * Emits, in a piece, a {@code br_table} some of whose targets are out of the piece: its index is
   * kept in a local while one block opens per such target; the table branches to those blocks, and
   * after each one's end the piece leaves with that target's exit code.
   */
  private static void branchTable(
      ByteArrayOutputStream b,
      FunctionBody.Ins in,
      int depth,
      int toExit,
      int indexLocal,
      ExitCodes codes) {
    List<Integer> outside = outside(in, depth, codes);
    int m = outside.size();
    localOp(b, OpCode.LOCAL_SET, indexLocal);
    for (int j = 0; j < m; j++) {
      open(b, OpCode.BLOCK);
    }
    localOp(b, OpCode.LOCAL_GET, indexLocal);
    b.write(OpCode.BR_TABLE.opcode());
    long[] labels = in.operands();
    writeU32(b, labels.length - 1);
    for (long label : labels) {
      int j = label < depth ? -1 : outside.indexOf((int) (label - depth));
      writeU32(b, j < 0 ? label + m : j);
    }
    for (int j = 0; j < m; j++) {
      b.write(OpCode.END.opcode());
      constI32(b, codes.of(outside.get(j)));
      branch(b, OpCode.BR, toExit + m - 1 - j);
    }
  }

  /**
   * Ends a new function's body: closes its exit block (falling through is code 0) if it has one,
   * then hands back the locals it wrote that are live after it, the function's results if it may
   * return, and the exit code (see {@link #handedBack}).
   */
  void closeBody(ByteArrayOutputStream b, Piece piece, boolean withExit) {
    if (withExit) {
      constI32(b, 0); // fell through
      b.write(OpCode.END.opcode());
      localOp(b, OpCode.LOCAL_SET, piece.codeLocal());
    }
    List<ValType> values = handedBack(piece.uses(), piece.returns(), withExit);
    int[] globals = scratchGlobals(values);
    int written = piece.uses().written().size();
    for (int k = 0; k < values.size(); k++) {
      int local;
      if (k < written) {
        local = piece.renumber()[piece.uses().written().get(k)];
      } else if (k < values.size() - (withExit ? 1 : 0)) {
        local = piece.resultBase() + k - written;
      } else {
        local = piece.codeLocal();
      }
      localOp(b, OpCode.LOCAL_GET, local);
      if (globals[k] >= 0) {
        b.write(OpCode.GLOBAL_SET.opcode());
        writeU32(b, globals[k]);
      }
    }
    b.write(OpCode.END.opcode());
  }

  /**
   * The values a piece hands back to its call site, in order: the locals it wrote that are live
   * after it, the function's results if it may return, and the exit code if it has exits. The last
   * of them (and any {@code v128}) is the piece's result; each of the others goes through a scratch
   * global ({@link NewFunctions#scratchGlobal}), set just before the piece returns and read just
   * after the call. So a piece has at most one result, which Chicory's compiled code and runtime
   * {@code asm} return as a value, where several would be a {@code long[]} allocated on each call.
   */
  private List<ValType> handedBack(Runs.Uses uses, boolean returns, boolean withExit) {
    List<ValType> types = types(uses.written());
    if (returns) {
      types.addAll(results);
    }
    if (withExit) {
      types.add(ValType.I32);
    }
    return types;
  }

  /** Whether a value handed back is a result of the piece rather than a scratch global's. */
  private static boolean isResult(List<ValType> values, int k) {
    return k == values.size() - 1 || values.get(k).opcode() == ValType.V128.opcode();
  }

  /**
   * The scratch global each value handed back goes through, -1 for the piece's results: the {@code
   * j}-th of a type among a piece's values goes through slot {@code j} of that type.
   */
  private int[] scratchGlobals(List<ValType> values) {
    int[] globals = new int[values.size()];
    java.util.Map<ValType, Integer> slots = new java.util.HashMap<>();
    for (int k = 0; k < values.size(); k++) {
      if (isResult(values, k)) {
        globals[k] = -1;
      } else {
        int slot = slots.merge(values.get(k), 1, Integer::sum) - 1;
        globals[k] = functions.scratchGlobal(values.get(k), slot);
      }
    }
    return globals;
  }

  /** The types of locals of the function being split. */
  List<ValType> types(List<Integer> locals) {
    List<ValType> types = new ArrayList<>();
    for (int index : locals) {
      types.add(body.localTypes.get(index));
    }
    return types;
  }

  /**
   * The result types of a piece: at most one value but for {@code v128}s (see {@link #handedBack}).
   */
  List<ValType> returned(Runs.Uses uses, boolean returns, boolean withExit) {
    List<ValType> values = handedBack(uses, returns, withExit);
    List<ValType> types = new ArrayList<>();
    for (int k = 0; k < values.size(); k++) {
      if (isResult(values, k)) {
        types.add(values.get(k));
      }
    }
    return types;
  }

  // ---- the call site's side -------------------------------------------------------------------

  /**
   * Calls a piece, after whatever arguments the caller pushed, with the locals it uses, and stores
   * what it hands back (see {@link #handedBack}): the locals it wrote back into themselves, the
   * function's results and the exit code into the added locals. The scratch globals are read first,
   * right after the call, before anything else can set them again.
   */
  void call(
      ByteArrayOutputStream out, int function, Runs.Uses uses, boolean withExit, boolean returns) {
    for (int index : uses.used()) {
      localOp(out, OpCode.LOCAL_GET, index);
    }
    out.write(OpCode.CALL.opcode());
    writeU32(out, function);
    if (withExit) {
      exitLocalsUsed = true;
    }
    List<ValType> values = handedBack(uses, returns, withExit);
    int[] globals = scratchGlobals(values);
    int written = uses.written().size();
    int[] locals = new int[values.size()];
    for (int k = 0; k < values.size(); k++) {
      if (k < written) {
        locals[k] = uses.written().get(k);
      } else if (k < values.size() - (withExit ? 1 : 0)) {
        locals[k] = exitCodeLocal() + 1 + k - written;
      } else {
        locals[k] = exitCodeLocal();
      }
    }
    for (int k = 0; k < values.size(); k++) {
      if (globals[k] >= 0) {
        out.write(OpCode.GLOBAL_GET.opcode());
        writeU32(out, globals[k]);
        localOp(out, OpCode.LOCAL_SET, locals[k]);
      }
    }
    for (int k = values.size() - 1; k >= 0; k--) {
      if (globals[k] < 0) {
        localOp(out, OpCode.LOCAL_SET, locals[k]);
      }
    }
  }

  /** Returns from the function with the results a piece returned, kept in the added locals. */
  void returnStored(ByteArrayOutputStream out) {
    for (int k = 0; k < results.size(); k++) {
      localOp(out, OpCode.LOCAL_GET, exitCodeLocal() + 1 + k);
    }
    out.write(OpCode.RETURN.opcode());
  }

  /**
   * Ends the {@code if} a call site takes a piece's exits in: a return if the piece may return,
   * else no other code occurs.
   */
  void endExits(ByteArrayOutputStream out, boolean returns) {
    if (returns) {
      returnStored(out);
    } else {
      out.write(OpCode.UNREACHABLE.opcode());
    }
    out.write(OpCode.END.opcode());
  }
}

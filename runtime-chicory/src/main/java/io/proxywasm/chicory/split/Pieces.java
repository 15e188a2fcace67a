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
 * when it fell through) and returns the locals it wrote that are live after it ({@link Runs.Uses}),
 * the function's results if it returned and the code; the call site stores them into the function's
 * locals (and into locals added for the code and results) and takes the same exit. Also keeps which
 * locals the function gains.
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
   * then returns the locals it wrote that are live after it, the function's results if it may
   * return, and the exit code.
   */
  void closeBody(ByteArrayOutputStream b, Piece piece, boolean withExit) {
    if (withExit) {
      constI32(b, 0); // fell through
      b.write(OpCode.END.opcode());
      localOp(b, OpCode.LOCAL_SET, piece.codeLocal());
    }
    for (int index : piece.uses().written()) {
      localOp(b, OpCode.LOCAL_GET, piece.renumber()[index]);
    }
    if (piece.returns()) {
      for (int k = 0; k < results.size(); k++) {
        localOp(b, OpCode.LOCAL_GET, piece.resultBase() + k);
      }
    }
    if (withExit) {
      localOp(b, OpCode.LOCAL_GET, piece.codeLocal());
    }
    b.write(OpCode.END.opcode());
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
   * What a piece returns: the locals it wrote that are live after it, the function's results if it
   * may return, and the exit code if it has exits.
   */
  List<ValType> returned(Runs.Uses uses, boolean returns, boolean withExit) {
    List<ValType> types = types(uses.written());
    if (returns) {
      types.addAll(results);
    }
    if (withExit) {
      types.add(ValType.I32);
    }
    return types;
  }

  // ---- the call site's side -------------------------------------------------------------------

  /**
   * Calls a piece, after whatever arguments the caller pushed, with the locals it uses, and stores
   * what it returns: the exit code and the function's results into the added locals, the locals it
   * wrote back into themselves.
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
      localOp(out, OpCode.LOCAL_SET, exitCodeLocal());
      if (returns) {
        for (int k = results.size() - 1; k >= 0; k--) {
          localOp(out, OpCode.LOCAL_SET, exitCodeLocal() + 1 + k);
        }
      }
    }
    for (int k = uses.written().size() - 1; k >= 0; k--) {
      localOp(out, OpCode.LOCAL_SET, uses.written().get(k));
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

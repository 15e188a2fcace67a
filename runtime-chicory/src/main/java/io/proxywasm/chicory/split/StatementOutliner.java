package io.proxywasm.chicory.split;

import static io.proxywasm.chicory.split.FunctionBody.isOpener;
import static io.proxywasm.chicory.split.WasmBytes.branch;
import static io.proxywasm.chicory.split.WasmBytes.branchIfEquals;
import static io.proxywasm.chicory.split.WasmBytes.localOp;
import static io.proxywasm.chicory.split.WasmBytes.open;
import static io.proxywasm.chicory.split.WasmBytes.writeU32;

import com.dylibso.chicory.wasm.types.OpCode;
import java.io.ByteArrayOutputStream;
import java.util.BitSet;
import java.util.List;

/**
 * Writes a function body again with runs of whole statements moved into new functions. Inside a
 * block (the function body first, then the bodies of blocks, loops and ifs too big to move whole),
 * a run of statements of at most {@link FunctionSplitter#MAX_PIECE_BYTES} becomes a call: the new
 * function takes the locals the run uses as parameters and returns those it writes that are live
 * after it. A big block that is a dispatch chain goes to the {@link ChainSplitter} instead.
 */
final class StatementOutliner {
  /** The fewest code bytes worth moving into a new function. */
  private static final int MIN_PIECE_BYTES = 64;

  private final FunctionBody body;
  private final StackHeights heights;
  private final Runs runs;
  private final Pieces pieces;
  private final ChainSplitter chains;

  StatementOutliner(FunctionBody body, StackHeights heights, Runs runs, Pieces pieces) {
    this.body = body;
    this.heights = heights;
    this.runs = runs;
    this.pieces = pieces;
    this.chains = new ChainSplitter(body, heights, runs, pieces);
  }

  /** Emits the function's instructions: its body is a block from the first to the final END. */
  void emitFunction(ByteArrayOutputStream out) {
    emitBlockBody(out, 0, body.ins.size() - 1, 0);
    out.write(OpCode.END.opcode());
  }

  /**
   * Emits the instructions {@code from} to {@code to} (exclusive) that form one block body at one
   * level, moving runs of statements into new functions and descending into big nested blocks.
   *
   * @param height the operand stack height at {@code from}: the block's parameters
   */
  private void emitBlockBody(ByteArrayOutputStream out, int from, int to, int height) {
    StackHeights.Statements found = heights.statements(from, to, height);
    List<int[]> statements = found.runs();
    // group statements into pieces; what no piece takes is copied, its big constructs split
    int s = 0;
    int copiedTo = from;
    while (s < statements.size()) {
      int[] first = statements.get(s);
      int pieceEnd = -1;
      int e = s;
      BitSet used = new BitSet();
      int slots = 2; // Chicory passes the instance and the memory too
      while (e < statements.size()) {
        int[] st = statements.get(e);
        if (body.size(first[0], st[1]) > FunctionSplitter.MAX_PIECE_BYTES
            || runs.exits(st[0], st[1]) == null) {
          break;
        }
        int more = 0;
        BitSet added = new BitSet();
        for (int k = st[0]; k < st[1]; k++) {
          if (FunctionBody.isLocalOp(body.opcode(k))) {
            int index = (int) body.ins.get(k).operand(0);
            if (!used.get(index) && !added.get(index)) {
              added.set(index);
              more += runs.slots(index);
            }
          }
        }
        if (slots + more > Runs.MAX_PARAM_SLOTS) {
          break;
        }
        used.or(added);
        slots += more;
        pieceEnd = st[1];
        e++;
      }
      if (e > s && body.size(first[0], pieceEnd) >= MIN_PIECE_BYTES) {
        descend(out, copiedTo, first[0]);
        outline(out, first[0], pieceEnd, runs.exits(first[0], pieceEnd));
        copiedTo = pieceEnd;
        s = e;
      } else {
        s++;
      }
    }
    descend(out, copiedTo, found.end());
  }

  /** Emits instructions as they are, splitting the bodies of the big constructs among them. */
  private void descend(ByteArrayOutputStream out, int from, int to) {
    int i = from;
    int copiedTo = from;
    while (i < to) {
      OpCode op = body.opcode(i);
      if (!isOpener(op) || body.size(i, body.match[i] + 1) <= FunctionSplitter.MAX_PIECE_BYTES) {
        i = body.next(i);
        continue;
      }
      ChainSplitter.Chain chain = op == OpCode.BLOCK ? chains.chainAt(i) : null;
      if (chain != null) {
        body.copy(out, copiedTo, i);
        chains.emit(out, chain);
        copiedTo = body.match[i] + 1;
        i = copiedTo;
        continue;
      }
      body.copy(out, copiedTo, i + 1); // up to the opener
      int end = body.match[i];
      int elseAt = op == OpCode.IF ? body.elseOf(i) : -1;
      int[] type = heights.blockType(i);
      runs.enter(op == OpCode.LOOP ? type[0] : type[1]);
      if (elseAt >= 0) {
        emitBlockBody(out, i + 1, elseAt, type[0]);
        body.copy(out, elseAt, elseAt + 1);
        emitBlockBody(out, elseAt + 1, end, type[0]);
      } else {
        emitBlockBody(out, i + 1, end, type[0]);
      }
      runs.leave();
      copiedTo = end;
      i = end + 1;
    }
    body.copy(out, copiedTo, to);
  }

  /**
   * Moves a run into a new function and emits the call that replaces it. A run with exits returns,
   * after the live locals it writes, the function's results if it returns and an exit code: 0 when
   * it fell through, {@code 1 + label} when it branched out to an enclosing label, {@link
   * Pieces#returnCode} when it returned. The call site stores them and takes the same exit.
   */
  private void outline(ByteArrayOutputStream out, int from, int to, Runs.Exits exits) {
    Runs.Uses uses = runs.uses(from, to);
    boolean withExits = exits.any();
    // the body: the run with locals renumbered and exits turned into branches to one block
    Pieces.Piece piece = pieces.piece(uses, 0, exits.returns());
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    if (withExits) {
      pieces.openExitBlock(b, exits.returns());
    } else {
      writeU32(b, 0); // no locals of its own: every local it uses is a parameter
    }
    // a branch to label o leaves with 1 + o; one to the function's label with values returns
    Pieces.ExitCodes codes = t -> runs.labelArity((int) t) != 0 ? Pieces.RETURNS : 1 + (int) t;
    pieces.copyRun(b, piece, from, to, 0, codes, pieces.returnCode());
    pieces.closeBody(b, piece, withExits);
    // the type: (used locals) -> (live written locals, [results], [exit code])
    int function =
        pieces.functions.add(
            pieces.types(uses.used()),
            pieces.returned(uses, exits.returns(), withExits),
            b.toByteArray());
    // the call site: pass the used locals in, store the results back, take the exit
    pieces.call(out, function, uses, withExits, exits.returns());
    if (withExits) {
      dispatch(out, exits);
    }
  }

  /** At a call site, takes the exit the piece took, its code in the exit code local. */
  private void dispatch(ByteArrayOutputStream out, Runs.Exits exits) {
    int code = pieces.exitCodeLocal();
    if (exits.labels().size() + (exits.returns() ? 1 : 0) > 3) {
      tableDispatch(out, exits);
      return;
    }
    localOp(out, OpCode.LOCAL_GET, code);
    if (!exits.returns() && exits.labels().size() == 1) {
      branch(out, OpCode.BR_IF, exits.labels().first());
      return;
    }
    open(out, OpCode.IF);
    for (int o : exits.labels()) {
      branchIfEquals(out, code, 1 + o, o + 1); // inside the if
    }
    pieces.endExits(out, exits.returns());
  }

  /** A call site's dispatch on many exits: one {@code br_table} over the exit codes. */
  private void tableDispatch(ByteArrayOutputStream out, Runs.Exits exits) {
    int code = pieces.exitCodeLocal();
    int returnCode = pieces.returnCode();
    int wrapping = exits.returns() ? 2 : 1; // the block after which execution goes on, [returns]
    int done = wrapping - 1;
    open(out, OpCode.BLOCK);
    if (exits.returns()) {
      open(out, OpCode.BLOCK);
    }
    localOp(out, OpCode.LOCAL_GET, code);
    out.write(OpCode.BR_TABLE.opcode());
    int entries = exits.returns() ? returnCode + 1 : exits.labels().last() + 2;
    writeU32(out, entries);
    for (int c = 0; c < entries; c++) {
      if (c > 0 && exits.labels().contains(c - 1)) {
        writeU32(out, c - 1 + wrapping);
      } else if (exits.returns() && c == returnCode) {
        writeU32(out, 0);
      } else {
        writeU32(out, done);
      }
    }
    writeU32(out, done); // the default: no other code occurs
    if (exits.returns()) {
      out.write(OpCode.END.opcode());
      pieces.returnStored(out);
    }
    out.write(OpCode.END.opcode());
  }
}

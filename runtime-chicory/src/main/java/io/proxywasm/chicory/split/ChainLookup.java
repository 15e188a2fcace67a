package io.proxywasm.chicory.split;

import static io.proxywasm.chicory.split.WasmBytes.constI32;
import static io.proxywasm.chicory.split.WasmBytes.localOp;
import static io.proxywasm.chicory.split.WasmBytes.writeU32;

import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The lookup function of a split dispatch chain: it maps the index the chain's {@code br_table}
 * takes to the label the table would branch to, as a switch of switches small enough for the JIT (a
 * table of thousands of entries would make one method too big to compile).
 */
final class ChainLookup {
  /** The most entries of a {@code br_table} in one piece of a chain's lookup. */
  private static final int LOOKUP_CHUNK = 256;

  private ChainLookup() {}

  /**
   * Adds the function mapping a chain table's index to the label the table branches to, (i32) →
   * i32, as pieces of at most {@link #LOOKUP_CHUNK} entries each, and returns its index.
   */
  static int add(NewFunctions functions, long[] labels) {
    int entries = labels.length - 1;
    long fallback = labels[entries];
    int chunks = Math.max(1, (entries + LOOKUP_CHUNK - 1) / LOOKUP_CHUNK);
    int[] pieces = new int[chunks];
    for (int q = 0; q < chunks; q++) {
      pieces[q] =
          piece(functions, labels, q * LOOKUP_CHUNK, Math.min(entries, (q + 1) * LOOKUP_CHUNK));
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    writeU32(b, 0);
    localOp(b, OpCode.LOCAL_GET, 0);
    constI32(b, entries);
    b.write(OpCode.I32_GE_U.opcode());
    b.write(OpCode.IF.opcode());
    b.write(0x40);
    constI32(b, (int) fallback);
    b.write(OpCode.RETURN.opcode());
    b.write(OpCode.END.opcode());
    // the index's chunk: j >> log2(LOOKUP_CHUNK)
    int[] byChunk = new int[chunks];
    for (int q = 0; q < chunks; q++) {
      byChunk[q] = q;
    }
    cases(
        b,
        byChunk,
        () -> {
          localOp(b, OpCode.LOCAL_GET, 0);
          constI32(b, Integer.numberOfTrailingZeros(LOOKUP_CHUNK));
          b.write(OpCode.I32_SHR_U.opcode());
        },
        q -> {
          localOp(b, OpCode.LOCAL_GET, 0);
          b.write(OpCode.CALL.opcode());
          writeU32(b, pieces[q]);
        });
    b.write(OpCode.END.opcode());
    return functions.add(List.of(ValType.I32), List.of(ValType.I32), b.toByteArray());
  }

  /** Adds the lookup of the table entries {@code from} to {@code to} (exclusive), (i32) → i32. */
  private static int piece(NewFunctions functions, long[] labels, int from, int to) {
    List<Long> values = new ArrayList<>();
    int[] index = new int[to - from];
    for (int j = from; j < to; j++) {
      int at = values.indexOf(labels[j]);
      if (at < 0) {
        at = values.size();
        values.add(labels[j]);
      }
      index[j - from] = at;
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    writeU32(b, 0);
    cases(
        b,
        index,
        () -> {
          localOp(b, OpCode.LOCAL_GET, 0);
          constI32(b, from);
          b.write(OpCode.I32_SUB.opcode());
        },
        v -> constI32(b, values.get(v).intValue()));
    b.write(OpCode.END.opcode());
    return functions.add(List.of(ValType.I32), List.of(ValType.I32), b.toByteArray());
  }

  /**
   * Emits a switch that returns: one block per case, a {@code br_table} from the index the {@code
   * index} code leaves to case {@code table[i]}, and after each block's end the code that leaves
   * that case's i32 result, then {@code return}.
   */
  private static void cases(
      ByteArrayOutputStream b, int[] table, Runnable index, IntConsumer result) {
    int count = 0;
    for (int t : table) {
      count = Math.max(count, t + 1);
    }
    for (int c = 0; c < count; c++) {
      b.write(OpCode.BLOCK.opcode());
      b.write(0x40);
    }
    index.run();
    b.write(OpCode.BR_TABLE.opcode());
    writeU32(b, table.length);
    for (int t : table) {
      writeU32(b, t);
    }
    writeU32(b, 0); // the index is always in the table
    for (int c = 0; c < count; c++) {
      b.write(OpCode.END.opcode());
      result.accept(c);
      b.write(OpCode.RETURN.opcode());
    }
  }
}

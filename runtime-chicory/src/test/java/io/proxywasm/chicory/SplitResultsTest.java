package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the functions the splitter adds return: of the locals a moved run writes, only those read
 * after it (Chicory's compiled code returns several values in a {@code long[]} allocated on every
 * call, so each one left out counts). The split code computes what Chicory's interpreter computes
 * on the module whole.
 */
class SplitResultsTest {
  /** The number of results of each function the splitter added, the most of them. */
  private static int mostResults(WasmModule original, WasmModule split) {
    int most = 0;
    int own = original.functionSection().functionCount();
    for (int f = own; f < split.functionSection().functionCount(); f++) {
      FunctionType type = split.typeSection().getType(split.functionSection().getFunctionType(f));
      most = Math.max(most, type.returns().size());
    }
    return most;
  }

  /**
   * One run writes eight locals; after it, a branch that cannot move keeps what follows apart, and
   * only two of the eight are read before being written again. The run's function returns those
   * two.
   */
  @Test
  void onlyTheLocalsReadAfterARunAreHandedBack() {
    StringBuilder w = new StringBuilder();
    w.append("(module\n (func (export \"run\") (param $p i32) (result i32)\n");
    w.append("  (local $a i32) (local $b i32) (local $c i32) (local $d i32)");
    w.append(" (local $e i32) (local $f i32) (local $g i32) (local $h i32)\n");
    String[] locals = {"$a", "$b", "$c", "$d", "$e", "$f", "$g", "$h"};
    for (int i = 0; i < locals.length; i++) {
      w.append("  (local.set ").append(locals[i]).append(" (i32.mul (i32.add (local.get $p)");
      w.append(" (i32.const ").append(1000 + i).append(")) (i32.const ").append(7 + i);
      w.append(")))\n");
    }
    // a branch out with a value to the function's label: a statement no run can take
    w.append("  (drop (br_if 0 (local.get $p) (i32.eq (local.get $p) (i32.const 99))))\n");
    for (String l : new String[] {"$b", "$d", "$e", "$f", "$g", "$h"}) {
      w.append("  (local.set ").append(l).append(" (i32.const 3))\n");
    }
    w.append("  (i32.add (local.get $a) (i32.add (local.get $c) (local.get $b))))\n)");
    byte[] bytes = Wat.wasm(w.toString());
    WasmModule module = Parser.parse(bytes);
    byte[] splitBytes = DifferentialFuzz.splitAll(bytes, module).orElseThrow();
    WasmModule split = Parser.parse(splitBytes);
    assertEquals(1, split.functionSection().functionCount() - 1, "one run moved");
    assertEquals(2, mostResults(module, split), "$a and $c");
    for (long p : new long[] {0, 1, 99, -5}) {
      assertEquals(
          new InstanceRun(bytes).run(p), new InstanceRun(splitBytes).run(p), "run(" + p + ")");
    }
  }

  /** Runs the export {@code run} of a module on Chicory's interpreter. */
  private record InstanceRun(byte[] bytes) {
    long run(long p) {
      return com.dylibso.chicory.runtime.Instance.builder(Parser.parse(bytes))
          .build()
          .export("run")
          .apply(p)[0];
    }
  }

  /**
   * Random functions whose runs write many locals of every type, with branches out of the runs and
   * early returns, each split whole: the split module compiled computes what the interpreter
   * computes on the original, logs and memory included.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void runsWritingManyLocalsComputeTheSameSplit(long seed) {
    byte[] bytes = Wat.wasm(program(new Random(seed)));
    WasmModule module = Parser.parse(bytes);
    WasmModule split = Parser.parse(DifferentialFuzz.splitAll(bytes, module).orElseThrow());
    assertTrue(split.functionSection().functionCount() > module.functionSection().functionCount());
    assertEquals(
        DifferentialFuzz.runChicory(bytes, DifferentialFuzz.Engine.INTERPRETER),
        DifferentialFuzz.runChicory(bytes, DifferentialFuzz.Engine.COMPILER_SPLIT));
  }

  private static final String[] TYPES = {"i32", "i64", "f32", "f64"};

  /**
   * A module importing the fuzzer's log functions, with one global of its own, and two exports
   * whose bodies write and log 24 locals, 6 of each type, in nested blocks and loops.
   */
  private static String program(Random random) {
    StringBuilder w = new StringBuilder("(module\n");
    for (String t : TYPES) {
      w.append(" (import \"fuzzing-support\" \"log-").append(t).append("\" (func $log_");
      w.append(t).append(" (param ").append(t).append(")))\n");
    }
    w.append(" (memory 1) (global $m (mut i32) (i32.const 5))\n");
    for (int f = 0; f < 2; f++) {
      w.append(" (func (export \"f").append(f).append("\") (param $p i32) (param $q i64)");
      w.append(" (result i64)\n");
      for (String t : TYPES) {
        for (int k = 0; k < 6; k++) {
          w.append("  (local $").append(t).append('_').append(k).append(' ').append(t).append(')');
        }
      }
      w.append(" (local $k i32)\n  (block $out\n");
      for (int s = 0; s < 40; s++) {
        statement(w, random, 2, 0, 1);
      }
      w.append("  )\n");
      for (String t : TYPES) {
        for (int k = 0; k < 6; k++) {
          w.append("  (call $log_").append(t).append(" (local.get $").append(t).append('_');
          w.append(k).append("))\n");
        }
      }
      w.append("  (i64.add (local.get $q) (i64.extend_i32_u (global.get $m))))\n");
    }
    return w.append(")").toString();
  }

  private static String local(Random random, String type) {
    return "$" + type + "_" + random.nextInt(6);
  }

  /** A value of a type computed from locals of that type and the parameters. */
  private static String value(Random random, String type) {
    String a = "(local.get " + local(random, type) + ")";
    return switch (type) {
      case "i32" ->
          "(i32.add " + a + " (i32.xor (local.get $p) (i32.const " + random.nextInt(99) + ")))";
      case "i64" ->
          "(i64.add " + a + " (i64.mul (local.get $q) (i64.const " + random.nextInt(99) + ")))";
      case "f32" -> "(f32.add " + a + " (f32.convert_i32_s (local.get $p)))";
      default -> "(f64.mul " + a + " (f64.const 1.25))";
    };
  }

  /**
   * One statement: locals set from others, a write to memory or the global, a branch out of the
   * outer block, an early return, or a block or loop of more statements.
   *
   * @param firstLabel the innermost label a branch may go to (not a loop's: it would go round)
   * @param labels blocks and loops around, $out included
   */
  private static void statement(
      StringBuilder w, Random random, int depth, int firstLabel, int labels) {
    int kind = random.nextInt(depth > 0 ? 9 : 6);
    String t = TYPES[random.nextInt(TYPES.length)];
    switch (kind) {
      case 0, 1, 2 -> {
        // several locals written in one statement
        w.append("  (local.set ").append(local(random, t)).append(" (");
        w.append(t).append(".add (local.tee ").append(local(random, t)).append(' ');
        w.append(value(random, t)).append(") (local.tee ").append(local(random, t)).append(' ');
        w.append(value(random, t)).append(")))\n");
      }
      case 3 -> {
        w.append("  (i32.store (i32.const 64) (i32.add (i32.load (i32.const 64)) ");
        w.append(value(random, "i32")).append("))\n");
        w.append("  (global.set $m (i32.add (global.get $m) (local.get $p)))\n");
      }
      case 4 -> {
        w.append("  (br_if ")
            .append(firstLabel + random.nextInt(labels - firstLabel))
            .append(" (i32.eq (i32.and ");
        w.append(value(random, "i32")).append(" (i32.const 7)) (i32.const 3)))\n");
      }
      case 5 -> {
        w.append("  (if (i32.eq (i32.and ").append(value(random, "i32"));
        w.append(" (i32.const 15)) (i32.const 9)) (then (return (local.get ");
        w.append(local(random, "i64")).append("))))\n");
      }
      case 6, 7 -> {
        w.append("  (block\n");
        for (int s = 0; s < 3 + random.nextInt(4); s++) {
          statement(w, random, depth - 1, 0, labels + 1);
        }
        w.append("  )\n");
      }
      default -> {
        String k = "$k"; // no other statement writes it, and loops do not nest
        w.append("  (local.set ").append(k).append(" (i32.const 0))\n");
        w.append("  (block (loop\n");
        for (int s = 0; s < 2 + random.nextInt(3); s++) {
          statement(w, random, 0, 1, labels + 2);
        }
        // the loop counter, written again after the body's statements: three turns at most
        w.append("  (local.set ").append(k).append(" (i32.add (local.get ").append(k);
        w.append(") (i32.const 1)))\n  (br_if 0 (i32.lt_u (local.get ").append(k);
        w.append(") (i32.const 3)))))\n");
      }
    }
  }
}

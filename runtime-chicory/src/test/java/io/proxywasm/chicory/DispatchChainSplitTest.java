package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.OpCode;
import io.proxywasm.chicory.split.FunctionSplitter;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmProvider;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Functions shaped as Go's compiler writes them (a loop around a chain of nested blocks whose
 * innermost ends with a {@code br_table} over all of them, each case falling into the next), with
 * random cases that jump forward along the chain, back to the loop with a new case, out of the
 * loop, and return: split as a chain, they compute what the interpreter computes on the original.
 */
class DispatchChainSplitTest {
  private static final int CASES = 64;

  /** Writes one program from a seed. */
  private static String program(long seed) {
    Random random = new Random(seed);
    StringBuilder w = new StringBuilder();
    w.append("(module (memory 1) (global $g (mut i64) (i64.const 3))\n");
    w.append(" (func (export \"run\") (param $p i32) (param $q i64) (result i64)\n");
    w.append("  (local $a i32) (local $b i64) (local $pc i32) (local $steps i32)\n");
    w.append("  (local.set $pc (i32.rem_u (local.get $p) (i32.const ")
        .append(CASES + 40)
        .append(")))\n");
    w.append("  block $exit\n  loop $top\n");
    w.append("  (local.set $steps (i32.add (local.get $steps) (i32.const 1)))\n");
    w.append("  (br_if $exit (i32.gt_u (local.get $steps) (i32.const 400)))\n");
    for (int k = CASES; k >= 0; k--) {
      w.append("  block $B").append(k).append('\n');
    }
    // the table: each index to a case, a few to the loop or out, the default out
    w.append("  local.get $pc\n  br_table");
    for (int j = 0; j < CASES + 30; j++) {
      int pick = random.nextInt(20);
      w.append(pick == 0 ? " $top" : pick == 1 ? " $exit" : " $B" + random.nextInt(CASES + 1));
    }
    w.append(" $exit\n");
    for (int k = 0; k <= CASES; k++) {
      w.append("  end\n");
      caseCode(w, random, k);
    }
    w.append("  end\n  end\n");
    w.append("  (i64.add (local.get $b) (i64.add (global.get $g)");
    w.append(" (i64.extend_i32_u (i32.add (local.get $a) (i32.load (i32.const 64))))))))");
    return w.toString();
  }

  private static void caseCode(StringBuilder w, Random random, int k) {
    int statements = 3 + random.nextInt(4);
    for (int s = 0; s < statements; s++) {
      switch (random.nextInt(4)) {
        case 0 ->
            w.append("  (local.set $a (i32.add (i32.mul (local.get $a) (i32.const 31)) (i32.const ")
                .append(k)
                .append(")))\n");
        case 1 ->
            w.append("  (local.set $b (i64.xor (local.get $b) (i64.shl (local.get $q) (i64.const ")
                .append(k % 60)
                .append("))))\n");
        case 2 ->
            w.append("  (i32.store (i32.const 64) (i32.add (i32.load (i32.const 64)) (i32.const ")
                .append(k)
                .append(")))\n");
        default ->
            w.append(
                "  (global.set $g (i64.add (global.get $g) (i64.extend_i32_u (local.get $a))))\n");
      }
    }
    String cond = "(i32.eq (i32.and (local.get $a) (i32.const 7)) (i32.const " + k % 8 + "))";
    switch (random.nextInt(8)) {
      case 0 -> { // forward along the chain, maybe to a far case
        if (k < CASES) {
          w.append("  (br_if $B")
              .append(k + 1 + random.nextInt(CASES - k))
              .append(' ')
              .append(cond)
              .append(")\n");
        }
      }
      case 1 -> // back to the loop with a new case
          w.append("  (if ")
              .append(cond)
              .append(" (then (local.set $pc (i32.const ")
              .append(random.nextInt(CASES + 30))
              .append(")) (br $top)))\n");
      case 2 -> w.append("  (br_if $exit ").append(cond).append(")\n");
      case 3 -> w.append("  (if ").append(cond).append(" (then (return (local.get $b))))\n");
      case 4 -> { // a case ending in an unconditional branch
        if (k < CASES) {
          w.append("  (local.set $pc (i32.const ")
              .append(random.nextInt(CASES + 30))
              .append("))\n  br $top\n");
        }
      }
      default -> {
        // falls through into the next case
      }
    }
  }

  private static long[] run(WasmVmProvider provider, byte[] module, long[][] inputs) {
    FunctionType type =
        new FunctionType(List.of(ValueType.I32, ValueType.I64), List.of(ValueType.I64));
    long[] out = new long[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      try (WasmVm vm = provider.create(new RecordingIntegration())) {
        vm.load(module);
        vm.link("run");
        out[i] = vm.function("run", type).orElseThrow().call(inputs[i])[0];
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void aSplitChainComputesWhatTheOriginalDoes(long seed) {
    Assumptions.assumeTrue(HugeMethods.jvmSkipsHugeMethods());
    byte[] module = Wat.wasm(program(seed));
    WasmModule parsed = Parser.parse(module);
    // split as a chain: the table no longer is in the function, the cases moved out in groups
    assertEquals(java.util.Set.of(0), FunctionSplitter.likelyHuge(parsed), "one big function");
    // parsing validates: an invalid split fails here with the validator's words
    Parser.parse(
        FunctionSplitter.split(module, parsed, java.util.Set.of(0)).orElseThrow().module());
    var split =
        FunctionSplitter.splitChecked(module, parsed, FunctionSplitter.likelyHuge(parsed))
            .orElseThrow();
    assertFalse(
        split.module().codeSection().getFunctionBody(0).instructions().stream()
            .anyMatch(i -> i.opcode() == OpCode.BR_TABLE),
        "the chain's table left the function");
    assertTrue(split.result().piecesAdded() > 4, split.result().toString());

    long[][] inputs = new long[40][];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = new long[] {i * 7L + seed, 0x1234_5678_9L * (i + 1)};
    }
    long[] interpreted = run(new ChicoryInterpreterProvider(), module, inputs);
    long splits = CodeSource.SPLITS.get();
    long[] compiled = run(ChicoryCompilerProvider.builder().build(), module, inputs);
    assertEquals(1, CodeSource.SPLITS.get() - splits, "the program was big enough to be split");
    assertArrayEquals(interpreted, compiled);
    assertTrue(
        java.util.Arrays.stream(interpreted).distinct().count() > inputs.length / 2,
        "the inputs take different paths through the cases");
  }
}

package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random structured functions, big enough to be split, computed by the split compiled code and by
 * the interpreter on the original module: every local type, nested blocks, loops and ifs, branches
 * to any enclosing label, early returns, calls, memory and a global.
 */
class SplitterFuzzTest {
  private static final String[] LOCALS_I32 = {"$p", "$a"};
  private static final String[] LOCALS_I64 = {"$q", "$b"};

  /** Generates one program from a seed. */
  private static final class Program {
    private final Random random;
    private final StringBuilder w = new StringBuilder();
    private final List<String> labels = new ArrayList<>();
    private int nextLabel;
    private int loopDepth;

    Program(long seed) {
      this.random = new Random(seed);
    }

    String module(int statements) {
      w.append("(module (memory 1) (global $g (mut i64) (i64.const 1))\n");
      w.append(" (func $h (param i32 i64) (result i64)");
      w.append(" (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)))\n");
      w.append(" (func (export \"run\") (param $p i32) (param $q i64) (result i64)\n");
      w.append("  (local $a i32) (local $b i64) (local $c f64) (local $d f32)");
      w.append(" (local $k0 i32) (local $k1 i32) (local $k2 i32)\n");
      for (int i = 0; i < statements; i++) {
        statement(3);
      }
      w.append("  (i64.add (local.get $b) (i64.add (i64.extend_i32_s (local.get $a))");
      w.append(" (i64.add (i64.trunc_sat_f64_s (local.get $c))");
      w.append(" (i64.add (i64.trunc_sat_f32_s (local.get $d))");
      w.append(" (i64.add (local.get $q) (i64.add (global.get $g)");
      w.append(" (i64.extend_i32_s (i32.add (local.get $p) (i32.load (i32.const 128)))))))))))");
      w.append(")"); // the module
      return w.toString();
    }

    private int r(int bound) {
      return random.nextInt(bound);
    }

    private String i32() {
      return LOCALS_I32[r(LOCALS_I32.length)];
    }

    private String i64() {
      return LOCALS_I64[r(LOCALS_I64.length)];
    }

    private String cond() {
      return "(i32.lt_s (i32.and "
          + "(local.get "
          + i32()
          + ") (i32.const 15)) (i32.const "
          + r(16)
          + "))";
    }

    private void statement(int depth) {
      int kind = r(depth > 0 ? 12 : 8);
      switch (kind) {
        case 0 ->
            w.append("(local.set ")
                .append(i32())
                .append(" (i32.add (local.get ")
                .append(i32())
                .append(") (i32.const ")
                .append(r(1000) - 500)
                .append(")))\n");
        case 1 ->
            w.append("(local.set ")
                .append(i64())
                .append(" (call $h (local.get ")
                .append(i32())
                .append(") (local.get ")
                .append(i64())
                .append(")))\n");
        case 2 ->
            w.append("(i32.store (i32.const 128) (i32.xor (i32.load (i32.const 128))")
                .append(" (local.get ")
                .append(i32())
                .append(")))\n");
        case 3 ->
            w.append("(global.set $g (i64.add (global.get $g) (local.get ")
                .append(i64())
                .append(")))\n");
        case 4 ->
            w.append("(local.set $c (f64.add (local.get $c) (f64.convert_i32_s (local.get ")
                .append(i32())
                .append("))))\n");
        case 5 -> w.append("(local.set $d (f32.mul (local.get $d) (f32.const 0.5)))\n");
        case 6 ->
            w.append("(drop (local.tee ")
                .append(i32())
                .append(" (i32.mul (local.get ")
                .append(i32())
                .append(") (i32.const 3))))\n");
        case 7 ->
            w.append("(if ")
                .append(cond())
                .append(" (then (return (local.get ")
                .append(i64())
                .append("))))\n");
        case 8 -> {
          w.append("(if ").append(cond()).append(" (then\n");
          block(depth);
          w.append(") (else\n");
          block(depth);
          w.append("))\n");
        }
        case 9, 10 -> {
          String label = "$l" + nextLabel++;
          labels.add(label);
          w.append("(block ").append(label).append('\n');
          block(depth);
          String target = labels.get(r(labels.size()));
          w.append("(br_if ").append(target).append(' ').append(cond()).append(")\n");
          block(depth);
          w.append(")\n");
          labels.remove(labels.size() - 1);
        }
        default -> {
          if (loopDepth >= 3) {
            statement(0);
            return;
          }
          String k = "$k" + loopDepth++;
          String exit = "$x" + nextLabel;
          String top = "$t" + nextLabel++;
          w.append("(local.set ").append(k).append(" (i32.const 0))\n");
          w.append("(block ").append(exit).append(" (loop ").append(top).append('\n');
          w.append("(br_if ").append(exit).append(" (i32.ge_u (local.get ").append(k);
          w.append(") (i32.const 3)))\n");
          labels.add(exit);
          block(depth);
          labels.remove(labels.size() - 1);
          w.append("(local.set ").append(k).append(" (i32.add (local.get ").append(k);
          w.append(") (i32.const 1)))\n(br ").append(top).append(")))\n");
          loopDepth--;
        }
      }
    }

    private void block(int depth) {
      int n = 1 + r(4);
      for (int i = 0; i < n; i++) {
        statement(depth - 1);
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
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void splitCodeComputesWhatTheOriginalDoes(long seed) {
    Assumptions.assumeTrue(HugeMethods.jvmSkipsHugeMethods());
    byte[] module = Wat.wasm(new Program(seed).module(260));
    long[][] inputs = {{0, 0}, {1, 7}, {-5, 1L << 40}, {13, -3}, {100, 12345}};
    long[] interpreted = run(new ChicoryInterpreterProvider(), module, inputs);
    long splits = CodeSource.SPLITS.get();
    long[] split = run(ChicoryCompilerProvider.builder().build(), module, inputs);
    assertEquals(1, CodeSource.SPLITS.get() - splits, "the program was big enough to be split");
    assertArrayEquals(interpreted, split);
  }
}

package io.proxywasm.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wabt.Wat2Wasm;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A function whose translation is over the JVM's 64 KiB limit for one method: asm splits it with
 * runtime chicory's splitter, no method stays over HotSpot's 8000-byte limit, and the split code
 * computes what Chicory's interpreter computes on the function whole, through the pieces' several
 * results and their exits (a {@code br_if} out of a block, a {@code return}).
 */
class SplittingTest {

  /** A function of many statements over four locals, with early exits along the way. */
  private static String program(int statements) {
    StringBuilder b = new StringBuilder();
    b.append("(module (func (export \"run\") (param i32 i64) (result i64)\n");
    b.append("  (local i32 i64 f64)\n");
    b.append("  (block $out\n");
    for (int i = 0; i < statements; i++) {
      int k = i * 2654435 + 17;
      switch (i % 5) {
        case 0 ->
            b.append("    local.get 0 i32.const ")
                .append(k)
                .append(" i32.xor i32.const 5 i32.rotl local.set 0\n");
        case 1 ->
            b.append("    local.get 1 local.get 0 i64.extend_i32_u i64.add i64.const ")
                .append(k)
                .append(" i64.mul local.set 1\n");
        case 2 ->
            b.append("    local.get 4 local.get 1 f64.convert_i64_s f64.const 0.001 f64.mul")
                .append(" f64.add local.set 4\n");
        case 3 ->
            b.append("    local.get 2 local.get 0 i32.add local.tee 2 i32.const ")
                .append(1000 + i)
                .append(" i32.eq br_if $out\n");
        default -> {
          if (i % 1000 == 4) {
            b.append("    local.get 0 i32.const ")
                .append(i)
                .append(" i32.eq (if (then local.get 1 return))\n");
          } else {
            b.append("    local.get 3 local.get 1 i64.xor local.set 3\n");
          }
        }
      }
    }
    b.append("  )\n");
    b.append("  local.get 1 local.get 3 i64.add local.get 4 i64.trunc_sat_f64_s i64.add\n");
    b.append("  local.get 2 i64.extend_i32_s i64.add))\n");
    return b.toString();
  }

  @Test
  void aFunctionOverTheMethodLimitIsSplitAndComputesTheSame() {
    byte[] wasm = Wat2Wasm.parse(program(6000));
    WasmModule module = Parser.parse(wasm);
    assertThrows(
        Translator.TooLarge.class,
        () -> Translator.translate(module, "io/proxywasm/asm/gen/Module", Set.of()),
        "whole, the function is over the JVM's limit for one method");
    Splitting.Translated t =
        Splitting.translate(wasm, module, "io/proxywasm/asm/gen/Module", Set.of());
    assertNotSame(module, t.module(), "the function was split");
    List<String> huge = new ArrayList<>();
    Splitting.methodSizes(
        t.result().bytes(),
        (method, size) -> {
          if (Translator.functionOf(method) >= 0 && size > Splitting.HUGE_METHOD_LIMIT) {
            huge.add(method + " (" + size + " bytes)");
          }
        });
    assertEquals(List.of(), huge);

    FunctionType type =
        new FunctionType(List.of(ValueType.I32, ValueType.I64), List.of(ValueType.I64));
    WasmVm oracle = Runtimes.discover().get("chicory").create((state, message) -> {});
    WasmVm asm = Runtimes.discover().get("asm").create((state, message) -> {});
    try {
      oracle.load(wasm);
      oracle.link("oracle");
      asm.load(wasm);
      asm.link("asm");
      WasmFunction expected = oracle.function("run", type).orElseThrow();
      WasmFunction actual = asm.function("run", type).orElseThrow();
      int calls = 0;
      for (long a : new long[] {0, 1, -1, 7, 1004, 2004, 123456789}) {
        for (long b : new long[] {0, 3, -5, Long.MAX_VALUE}) {
          long[] args = {a, b};
          assertEquals(
              expected.call(args.clone())[0],
              actual.call(args.clone())[0],
              "run(" + a + ", " + b + ")");
          calls++;
        }
      }
      assertTrue(calls > 0);
    } finally {
      oracle.close();
      asm.close();
    }
  }
}

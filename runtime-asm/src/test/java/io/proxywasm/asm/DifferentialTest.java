package io.proxywasm.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.dylibso.chicory.wabt.Wat2Wasm;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Runs the same module on {@code asm} and on Chicory's interpreter, the oracle, and expects the
 * same result or the same trap message for every instruction and input.
 */
class DifferentialTest {
  private static final WasmVmIntegration QUIET = (state, message) -> {};

  private static final long[] I32 = {
    0,
    1,
    -1,
    2,
    -2,
    7,
    -7,
    31,
    32,
    33,
    0x12345678,
    Integer.MIN_VALUE,
    Integer.MAX_VALUE,
    0xFFFF,
    0x8000,
    65535,
    65536,
    65533
  };
  private static final long[] I64 = {
    0,
    1,
    -1,
    7,
    -7,
    63,
    64,
    65,
    0x123456789ABCDEFL,
    Long.MIN_VALUE,
    Long.MAX_VALUE,
    0xFFFFFFFFL,
    0x80000000L,
    Integer.MIN_VALUE
  };
  private static final float[] F32 = {
    0f,
    -0f,
    1.5f,
    -1.5f,
    2.5f,
    -2.5f,
    0.49999997f,
    Float.NaN,
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY,
    3e9f,
    -3e9f,
    1e20f,
    -1e20f,
    4294967296f,
    2147483648f,
    -2147483648f,
    Float.MIN_VALUE,
    9.223372e18f,
    1.8446743e19f
  };
  private static final double[] F64 = {
    0d,
    -0d,
    1.5d,
    -1.5d,
    2.5d,
    -0.5d,
    Double.NaN,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    3e9d,
    -3e9d,
    1e20d,
    4294967295.9d,
    4294967296d,
    2147483647.5d,
    -2147483648.9d,
    -2147483649d,
    9.223372036854776e18d,
    1.8446744073709552e19d,
    -1d,
    -0.99d
  };

  private static final String[] I32_BIN = {
    "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s",
    "shr_u", "rotl", "rotr"
  };
  private static final String[] I32_CMP = {
    "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"
  };
  private static final String[] I32_UN = {"clz", "ctz", "popcnt", "eqz", "extend8_s", "extend16_s"};
  private static final String[] F_BIN = {"add", "sub", "mul", "div", "min", "max", "copysign"};
  private static final String[] F_CMP = {"eq", "ne", "lt", "gt", "le", "ge"};
  private static final String[] F_UN = {"abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"};

  /** An export, its signature and the inputs to call it with. */
  private record Case(String name, FunctionType type, List<long[]> inputs) {}

  private final List<Case> cases = new ArrayList<>();
  private final StringBuilder wat = new StringBuilder();

  private static ValueType vt(String t) {
    return ValueType.valueOf(t.toUpperCase(Locale.ROOT));
  }

  private static long[] values(String type) {
    return switch (type) {
      case "i32" -> I32;
      case "i64" -> I64;
      case "f32" -> {
        long[] out = new long[F32.length];
        for (int i = 0; i < out.length; i++) {
          out[i] = Float.floatToRawIntBits(F32[i]);
        }
        yield out;
      }
      default -> {
        long[] out = new long[F64.length];
        for (int i = 0; i < out.length; i++) {
          out[i] = Double.doubleToRawLongBits(F64[i]);
        }
        yield out;
      }
    };
  }

  /** Adds {@code (func (param types) (result r) local.get 0 ... body)} with every input. */
  private void op(String name, String[] params, String result, String body) {
    StringBuilder f = new StringBuilder("(func (export \"" + name + "\")");
    for (String p : params) {
      f.append(" (param ").append(p).append(')');
    }
    if (result != null) {
      f.append(" (result ").append(result).append(')');
    }
    for (int i = 0; i < params.length; i++) {
      f.append(" local.get ").append(i);
    }
    f.append(' ').append(body).append(")\n");
    wat.append(f);
    List<long[]> inputs = new ArrayList<>();
    if (params.length == 1) {
      for (long v : values(params[0])) {
        inputs.add(new long[] {v});
      }
    } else if (params.length == 2) {
      for (long a : values(params[0])) {
        for (long b : values(params[1])) {
          inputs.add(new long[] {a, b});
        }
      }
    } else {
      inputs.add(new long[0]);
    }
    List<ValueType> ps = Arrays.stream(params).map(DifferentialTest::vt).toList();
    List<ValueType> rs = result == null ? List.of() : List.of(vt(result));
    cases.add(new Case(name, new FunctionType(ps, rs), inputs));
  }

  private void numericOps() {
    for (String t : new String[] {"i32", "i64"}) {
      for (String o : I32_BIN) {
        op(t + "." + o, new String[] {t, t}, t, t + "." + o);
      }
      for (String o : I32_CMP) {
        op(t + "." + o, new String[] {t, t}, "i32", t + "." + o);
      }
      for (String o : I32_UN) {
        op(t + "." + o, new String[] {t}, o.equals("eqz") ? "i32" : t, t + "." + o);
      }
    }
    op("i64.extend32_s", new String[] {"i64"}, "i64", "i64.extend32_s");
    for (String t : new String[] {"f32", "f64"}) {
      for (String o : F_BIN) {
        op(t + "." + o, new String[] {t, t}, t, t + "." + o);
      }
      for (String o : F_CMP) {
        op(t + "." + o, new String[] {t, t}, "i32", t + "." + o);
      }
      for (String o : F_UN) {
        op(t + "." + o, new String[] {t}, t, t + "." + o);
      }
    }
    String[][] conversions = {
      {"i32.wrap_i64", "i64", "i32"},
      {"i64.extend_i32_s", "i32", "i64"},
      {"i64.extend_i32_u", "i32", "i64"},
      {"f32.demote_f64", "f64", "f32"},
      {"f64.promote_f32", "f32", "f64"},
      {"i32.reinterpret_f32", "f32", "i32"},
      {"f32.reinterpret_i32", "i32", "f32"},
      {"i64.reinterpret_f64", "f64", "i64"},
      {"f64.reinterpret_i64", "i64", "f64"},
    };
    for (String[] c : conversions) {
      op(c[0], new String[] {c[1]}, c[2], c[0]);
    }
    for (String to : new String[] {"i32", "i64"}) {
      for (String from : new String[] {"f32", "f64"}) {
        for (String s : new String[] {"s", "u"}) {
          op(
              to + ".trunc_" + from + "_" + s,
              new String[] {from},
              to,
              to + ".trunc_" + from + "_" + s);
          op(
              to + ".trunc_sat_" + from + "_" + s,
              new String[] {from},
              to,
              to + ".trunc_sat_" + from + "_" + s);
        }
      }
    }
    for (String to : new String[] {"f32", "f64"}) {
      for (String from : new String[] {"i32", "i64"}) {
        for (String s : new String[] {"s", "u"}) {
          op(
              to + ".convert_" + from + "_" + s,
              new String[] {from},
              to,
              to + ".convert_" + from + "_" + s);
        }
      }
    }
  }

  private void memoryOps() {
    String[][] loads = {
      {"i32.load", "i32"},
      {"i64.load", "i64"},
      {"f32.load", "f32"},
      {"f64.load", "f64"},
      {"i32.load8_s", "i32"},
      {"i32.load8_u", "i32"},
      {"i32.load16_s", "i32"},
      {"i32.load16_u", "i32"},
      {"i64.load8_s", "i64"},
      {"i64.load8_u", "i64"},
      {"i64.load16_s", "i64"},
      {"i64.load16_u", "i64"},
      {"i64.load32_s", "i64"},
      {"i64.load32_u", "i64"}
    };
    for (String[] l : loads) {
      op(l[0], new String[] {"i32"}, l[1], l[0]);
      op(l[0] + "_off", new String[] {"i32"}, l[1], l[0] + " offset=65530");
      op(l[0] + "_offbig", new String[] {"i32"}, l[1], l[0] + " offset=4294967295");
    }
    String[][] stores = {
      {"i32.store", "i32", "i32.load"}, {"i64.store", "i64", "i64.load"},
      {"i32.store8", "i32", "i32.load"}, {"i32.store16", "i32", "i32.load"},
      {"i64.store8", "i64", "i64.load"}, {"i64.store16", "i64", "i64.load"},
      {"i64.store32", "i64", "i64.load"}
    };
    for (String[] s : stores) {
      // store the value at an address given by the first argument, read it back at 0
      wat.append("(func (export \"")
          .append(s[0])
          .append("\") (param i32 ")
          .append(s[1])
          .append(") (result ")
          .append(s[1])
          .append(") local.get 0 local.get 1 ")
          .append(s[0])
          .append(" local.get 0 i32.const 65528 i32.and ")
          .append(s[2])
          .append(")\n");
      List<long[]> inputs = new ArrayList<>();
      for (long a : I32) {
        for (long v : values(s[1])) {
          inputs.add(new long[] {a, v});
        }
      }
      cases.add(
          new Case(
              s[0], new FunctionType(List.of(ValueType.I32, vt(s[1])), List.of(vt(s[1]))), inputs));
    }
    op("memory.size", new String[0], "i32", "memory.size");
    op("memory.grow", new String[] {"i32"}, "i32", "memory.grow memory.size i32.add");
    op(
        "memory.fill",
        new String[] {"i32", "i32"},
        "i32",
        "i32.const 100 memory.fill i32.const 0 i32.load");
    op(
        "memory.copy",
        new String[] {"i32", "i32"},
        "i32",
        "i32.const 100 memory.copy i32.const 8 i32.load");
    op(
        "memory.init",
        new String[] {"i32", "i32"},
        "i32",
        "i32.const 3 memory.init 1 i32.const 0 i32.load");
  }

  private void controlOps() {
    wat.append(
        """
        (type $ii (func (param i32) (result i32)))
        (type $v (func))
        (table 4 funcref)
        (elem (i32.const 0) $double $neg $nothing)
        (global $g (mut i32) (i32.const 10))
        (global $h (mut i64) (i64.const -3))
        (global $d (mut f64) (f64.const 1.25))
        (data (i32.const 16) "\\01\\02\\03\\04\\05\\06\\07\\08")
        (data "\\aa\\bb\\cc\\dd\\ee")
        (func $double (type $ii) local.get 0 i32.const 2 i32.mul)
        (func $neg (param i32) (result i32) i32.const 0 local.get 0 i32.sub)
        (func $nothing)
        (func (export "call_indirect") (param i32 i32) (result i32)
          local.get 0 local.get 1 call_indirect (type $ii))
        (func (export "call_indirect_void") (param i32) local.get 0 call_indirect (type $v))
        (func $fac (export "fac") (param i64) (result i64)
          local.get 0 i64.eqz
          if (result i64) i64.const 1
          else local.get 0 local.get 0 i64.const 1 i64.sub call $fac i64.mul end)
        (func $forever (export "forever") (param i32) (result i32)
          local.get 0 i32.const 1 i32.add call $forever)
        (func (export "unreachable") unreachable)
        (func (export "globals") (param i32) (result i32)
          global.get $g local.get 0 i32.add global.set $g
          global.get $h i64.const 2 i64.mul global.set $h
          global.get $d f64.const 2 f64.mul global.set $d
          global.get $g global.get $h i32.wrap_i64 i32.add
          global.get $d i32.trunc_f64_s i32.add)
        (func (export "br_table") (param i32) (result i32)
          (block $c (result i32)
            (block $b (result i32)
              (block $a (result i32)
                i32.const 100 i32.const 7 local.get 0
                br_table $a $b $c $a)
              i32.const 1 i32.add)
            i32.const 2 i32.add))
        (func (export "loop_sum") (param i32) (result i32) (local i32 i32)
          (loop $l
            local.get 1 local.get 2 i32.add local.set 1
            local.get 2 i32.const 1 i32.add local.tee 2
            local.get 0 i32.lt_u br_if $l)
          local.get 1)
        (func (export "select") (param i32 i32) (result i32)
          local.get 0 local.get 1 local.get 0 local.get 1 i32.lt_s select)
        (func (export "select64") (param i64 i64) (result i64)
          local.get 0 local.get 1 local.get 0 local.get 1 i64.lt_s select)
        (func (export "br_if_values") (param i32) (result i32)
          (block $out (result i32)
            i32.const 5 i32.const 6 i32.const 7 local.get 0 br_if $out
            drop drop)
          i32.const 1 i32.add)
        (func (export "br_drop") (param i32) (result i64)
          (block $out (result i64)
            f64.const 1 i32.const 2 i64.const 3 local.get 0 i64.extend_i32_u i64.add
            br $out))
        (func (export "nested_if") (param i32 i32) (result i32)
          local.get 0
          if (result i32)
            local.get 1 if (result i32) i32.const 1 else i32.const 2 end
          else
            local.get 1 if (result i32) i32.const 3 else i32.const 4 end
          end)
        (func (export "dead_code") (param i32) (result i32)
          (block $b (result i32)
            local.get 0 br $b
            i32.const 1 i32.add drop unreachable)
          (return (i32.const 9)) drop i32.const 0)
        (func (export "multi_value") (param i32) (result i32)
          (block (result i32 i32) local.get 0 i32.const 3)
          i32.sub)
        (func $pair (param i32 i64) (result i64 f64 i32 f32)
          local.get 1 i64.const 7 i64.mul
          local.get 0 f64.convert_i32_s f64.const 0.5 f64.add
          local.get 0 i32.const 1 i32.shl
          f32.const -2.25
          local.get 0 i32.eqz br_if 0
          return)
        (func (export "call_multi_value") (param i32 i64) (result i64)
          (local f64 i32 f32)
          local.get 0 local.get 1 call $pair
          local.set 4 local.set 3 local.set 2
          local.get 2 i64.trunc_f64_s i64.add
          local.get 3 i64.extend_i32_s i64.add
          local.get 4 i64.trunc_f32_s i64.add)
        (func (export "block_params") (param i32) (result i32)
          local.get 0
          (block (param i32) (result i32) i32.const 10 i32.add))
        (func (export "loop_params") (param i32) (result i32)
          i32.const 0
          (loop (param i32) (result i32)
            i32.const 1 i32.add
            local.get 0 i32.const 1 i32.sub local.tee 0
            br_if 0))
        (func (export "data_drop") (result i32) data.drop 1 i32.const 0 i32.const 0 i32.const 1 memory.init 1 i32.const 0 i32.load)
        """);
    call("call_indirect", "i32 i32", "i32");
    call("call_indirect_void", "i32", null);
    call("fac", "i64", "i64");
    cases.add(
        new Case(
            "forever",
            new FunctionType(List.of(ValueType.I32), List.of(ValueType.I32)),
            List.<long[]>of(new long[] {0})));
    call("unreachable", "", null);
    call("globals", "i32", "i32");
    call("br_table", "i32", "i32");
    cases.add(
        new Case(
            "loop_sum",
            new FunctionType(List.of(ValueType.I32), List.of(ValueType.I32)),
            List.of(new long[] {0}, new long[] {1}, new long[] {10}, new long[] {1000})));
    call("select", "i32 i32", "i32");
    call("select64", "i64 i64", "i64");
    call("br_if_values", "i32", "i32");
    call("br_drop", "i32", "i64");
    call("nested_if", "i32 i32", "i32");
    call("dead_code", "i32", "i32");
    call("multi_value", "i32", "i32");
    call("call_multi_value", "i32 i64", "i64");
    call("block_params", "i32", "i32");
    cases.add(
        new Case(
            "loop_params",
            new FunctionType(List.of(ValueType.I32), List.of(ValueType.I32)),
            List.of(new long[] {1}, new long[] {5}, new long[] {100})));
    call("data_drop", "", "i32");
  }

  private void call(String name, String params, String result) {
    String[] ps = params.isEmpty() ? new String[0] : params.split(" ");
    List<long[]> inputs = new ArrayList<>();
    if (ps.length == 0) {
      inputs.add(new long[0]);
    } else if (ps.length == 1) {
      for (long v : values(ps[0])) {
        inputs.add(new long[] {v});
      }
    } else {
      for (long a : values(ps[0])) {
        for (long b : values(ps[1])) {
          inputs.add(new long[] {a, b});
        }
      }
    }
    if (name.equals("fac")) {
      inputs.removeIf(in -> in[0] < 0 || in[0] > 30);
    }
    cases.add(
        new Case(
            name,
            new FunctionType(
                Arrays.stream(ps).map(DifferentialTest::vt).toList(),
                result == null ? List.of() : List.of(vt(result))),
            inputs));
  }

  /** One runtime's VM of the module, replaced by a fresh clone after each trap. */
  private static final class Runner {
    private final WasmVm base;
    private WasmVm vm;

    Runner(String runtime, byte[] wasm) {
      base = Runtimes.discover().get(runtime).create(QUIET);
      base.load(wasm);
      base.link("differential");
      vm = base;
    }

    /** Returns the result's bits, or the trap's message. */
    Object run(Case c, long[] args) {
      WasmFunction f = vm.function(c.name(), c.type()).orElseThrow();
      try {
        long[] r = f.call(args.clone());
        if (r.length == 0) {
          return "void";
        }
        // an i32 or f32 result is its low 32 bits: the interpreter leaves the high ones as they
        // fall
        ValueType t = c.type().results().get(0);
        return t == ValueType.I32 || t == ValueType.F32 ? (long) (int) r[0] : r[0];
      } catch (WasmException e) {
        assertEquals(FailState.RUNTIME_ERROR, e.failState(), e.getMessage());
        vm = base.cloneVm();
        vm.link("differential");
        return e.getMessage();
      }
    }
  }

  private static boolean sameNaN(Case c, Object a, Object b) {
    if (!(a instanceof Long x) || !(b instanceof Long y) || c.type().results().isEmpty()) {
      return false;
    }
    return switch (c.type().results().get(0)) {
      case F32 ->
          Float.isNaN(Float.intBitsToFloat((int) (long) x))
              && Float.isNaN(Float.intBitsToFloat((int) (long) y));
      case F64 ->
          Double.isNaN(Double.longBitsToDouble(x)) && Double.isNaN(Double.longBitsToDouble(y));
      default -> false;
    };
  }

  @Test
  void everyInstructionMatchesTheInterpreter() {
    numericOps();
    memoryOps();
    controlOps();
    // memory.init reads the passive segment 1: Chicory keeps active segments after
    // instantiation, where the spec (and this runtime) drops them
    byte[] wasm = Wat2Wasm.parse("(module (memory 1 3)\n" + wat + ")");
    Runner oracle = new Runner("chicory", wasm);
    Runner asm = new Runner("asm", wasm);
    List<String> differences = new ArrayList<>();
    int calls = 0;
    for (Case c : cases) {
      for (long[] in : c.inputs()) {
        Object expected = oracle.run(c, in);
        Object actual = asm.run(c, in);
        calls++;
        if (!expected.equals(actual) && !sameNaN(c, expected, actual)) {
          if (differences.stream().filter(d -> d.startsWith(c.name() + "[")).count() < 3) {
            differences.add(
                c.name() + Arrays.toString(in) + ": interpreter " + expected + ", asm " + actual);
          }
        }
      }
    }
    if (!differences.isEmpty()) {
      fail(
          differences.size()
              + " of "
              + calls
              + " calls differ:\n"
              + String.join("\n", differences));
    }
    assertTrue(calls > 5000, "calls: " + calls);
  }
}

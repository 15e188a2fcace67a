package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChicoryVmCallTest {
  private static final String NUMBERS =
      """
      (module
        (memory (export "memory") 1)
        (func (export "add_i32") (param i32 i32) (result i32)
          local.get 0 local.get 1 i32.add)
        (func (export "add_i64") (param i64 i64) (result i64)
          local.get 0 local.get 1 i64.add)
        (func (export "mul_f32") (param f32 f32) (result f32)
          local.get 0 local.get 1 f32.mul)
        (func (export "mul_f64") (param f64 f64) (result f64)
          local.get 0 local.get 1 f64.mul)
        (func (export "mix") (param i32 i64 f32 f64) (result f64)
          local.get 0 f64.convert_i32_s
          local.get 1 f64.convert_i64_s f64.add
          local.get 2 f64.promote_f32 f64.add
          local.get 3 f64.add)
        (func (export "nothing")))
      """;

  private final RecordingIntegration integration = new RecordingIntegration();

  private static FunctionType type(List<ValueType> params, List<ValueType> results) {
    return FunctionType.of(params, results);
  }

  private static WasmFunction fn(WasmVm vm, String name, FunctionType type) {
    return vm.function(name, type).orElseThrow();
  }

  @Test
  void callsWithEveryValueType() {
    WasmVm vm = Wat.linked(integration, NUMBERS);

    long[] i32 = fn(vm, "add_i32", FunctionType.i32(2, 1)).call(0xFFFF_FFFFL, 2);
    assertEquals(1, i32.length);
    assertEquals(1, (int) i32[0]);

    FunctionType i64Type = type(List.of(ValueType.I64, ValueType.I64), List.of(ValueType.I64));
    assertEquals(Long.MIN_VALUE, fn(vm, "add_i64", i64Type).call(Long.MAX_VALUE, 1)[0]);

    FunctionType f32Type = type(List.of(ValueType.F32, ValueType.F32), List.of(ValueType.F32));
    long[] f32 =
        fn(vm, "mul_f32", f32Type)
            .call(Float.floatToRawIntBits(1.5f), Float.floatToRawIntBits(-2f));
    assertEquals(-3f, Float.intBitsToFloat((int) f32[0]));

    FunctionType f64Type = type(List.of(ValueType.F64, ValueType.F64), List.of(ValueType.F64));
    long[] f64 =
        fn(vm, "mul_f64", f64Type)
            .call(Double.doubleToRawLongBits(0.5), Double.doubleToRawLongBits(-8.25));
    assertEquals(-4.125, Double.longBitsToDouble(f64[0]));

    FunctionType mixType =
        type(
            List.of(ValueType.I32, ValueType.I64, ValueType.F32, ValueType.F64),
            List.of(ValueType.F64));
    long[] mix =
        fn(vm, "mix", mixType)
            .call(
                0xFFFF_FFFFL, // -1 as an i32
                2,
                Float.floatToRawIntBits(0.5f),
                Double.doubleToRawLongBits(0.25));
    assertEquals(1.75, Double.longBitsToDouble(mix[0]));

    assertArrayEquals(new long[0], fn(vm, "nothing", FunctionType.i32(0, 0)).call());
    assertEquals(FailState.OK, vm.failState());
  }

  @Test
  void hostFunctionsReceiveAndReturnEveryValueType() {
    WasmVm vm =
        Wat.loaded(
            integration,
            """
            (module
              (import "env" "sum" (func $sum (param i32 i64 f32 f64) (result f64)))
              (func (export "run") (result f64)
                i32.const -1 i64.const 4000000000 f32.const 0.5 f64.const 0.25
                call $sum))
            """);
    FunctionType sumType =
        type(
            List.of(ValueType.I32, ValueType.I64, ValueType.F32, ValueType.F64),
            List.of(ValueType.F64));
    vm.registerHostFunction(
        new HostFunction(
            "env",
            "sum",
            sumType,
            args -> {
              assertEquals(4, args.length);
              double sum =
                  (double) (int) args[0]
                      + args[1]
                      + Float.intBitsToFloat((int) args[2])
                      + Double.longBitsToDouble(args[3]);
              return new long[] {Double.doubleToRawLongBits(sum)};
            }));
    vm.link("test");

    long[] result = fn(vm, "run", type(List.of(), List.of(ValueType.F64))).call();

    assertEquals(3_999_999_999.75, Double.longBitsToDouble(result[0]));
  }

  @Test
  void absentOrNonFunctionExportIsEmpty() {
    WasmVm vm = Wat.linked(integration, NUMBERS);

    assertTrue(vm.function("absent", FunctionType.i32(0, 0)).isEmpty());
    assertTrue(vm.function("memory", FunctionType.i32(0, 0)).isEmpty());
  }

  @Test
  void exportWithAnotherSignatureIsABadSignature() {
    WasmVm vm = Wat.linked(integration, NUMBERS);

    WasmException e =
        assertThrows(WasmException.class, () -> vm.function("add_i32", FunctionType.i32(1, 0)));

    assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, e.failState());
    assertEquals(
        "Bad function signature for: add_i32, want: (i32) -> (), but the module exports:"
            + " (i32, i32) -> (i32)",
        e.getMessage());
  }

  @Test
  void wrongArgumentCountIsRefusedWithoutFailingTheVm() {
    WasmVm vm = Wat.linked(integration, NUMBERS);
    WasmFunction add = fn(vm, "add_i32", FunctionType.i32(2, 1));

    assertThrows(IllegalArgumentException.class, () -> add.call(1));
    assertEquals(FailState.OK, vm.failState());
    assertEquals(5, (int) add.call(2, 3)[0]);
  }

  @Test
  void tracesCallsBothWaysAtTraceLevelOnly() {
    WasmVm vm =
        Wat.loaded(
            integration,
            """
            (module
              (import "env" "double" (func $double (param i32) (result i32)))
              (import "env" "note" (func $note (param i64 f32)))
              (func (export "run") (param i32) (result i32)
                i64.const -5 f32.const 1.5 call $note
                local.get 0 call $double)
              (func (export "nothing")))
            """);
    vm.registerHostFunction(
        new HostFunction(
            "env", "double", FunctionType.i32(1, 1), args -> new long[] {2 * args[0]}));
    vm.registerHostFunction(
        new HostFunction(
            "env", "note", type(List.of(ValueType.I64, ValueType.F32), List.of()), args -> null));
    vm.link("test");
    WasmFunction run = fn(vm, "run", FunctionType.i32(1, 1));
    WasmFunction nothing = fn(vm, "nothing", FunctionType.i32(0, 0));

    run.call(21);
    nothing.call();
    assertEquals(List.of(), integration.traces);

    integration.level = LogLevel.TRACE;
    run.call(21);
    nothing.call();
    run.call(0xFFFF_FFFFL);

    assertEquals(
        List.of(
            "[host->vm] run(21)",
            "[vm->host] env.note(-5, 1.5)",
            "[vm<-host] env.note return: void",
            "[vm->host] env.double(21)",
            "[vm<-host] env.double return: 42",
            "[host<-vm] run return: 42",
            "[host->vm] nothing()",
            "[host<-vm] nothing return: void",
            "[host->vm] run(4294967295)",
            "[vm->host] env.note(-5, 1.5)",
            "[vm<-host] env.note return: void",
            "[vm->host] env.double(4294967295)",
            "[vm<-host] env.double return: 4294967294",
            "[host<-vm] run return: 4294967294"),
        integration.traces);

    integration.level = LogLevel.DEBUG;
    run.call(1);
    assertEquals(14, integration.traces.size());
  }
}

package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ChicoryVmFailureTest {
  private static final String MODULE =
      """
      (module
        (import "env" "tick" (func $tick))
        (import "env" "explode" (func $explode (result i32)))
        (func (export "boom") unreachable)
        (func (export "tick") call $tick)
        (func (export "explode") (result i32) call $explode)
        (func $recurse (export "recurse") call $recurse)
        (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s))
      """;

  private final RecordingIntegration integration = new RecordingIntegration();
  private final AtomicInteger ticks = new AtomicInteger();
  private Throwable explosion = new IllegalStateException("kaput");
  private long[] explodeResult;

  private WasmVm vm() {
    ChicoryVm vm = Wat.loaded(integration, MODULE);
    vm.registerHostFunction(
        new HostFunction(
            "env",
            "tick",
            FunctionType.i32(0, 0),
            args -> {
              ticks.incrementAndGet();
              return null;
            }));
    vm.registerHostFunction(
        new HostFunction(
            "env",
            "explode",
            FunctionType.i32(0, 1),
            args -> {
              if (explosion instanceof RuntimeException e) {
                throw e;
              } else if (explosion instanceof Error e) {
                throw e;
              }
              return explodeResult;
            }));
    vm.addFailCallback(state -> integration.events.add("callback " + state));
    vm.link("test");
    return vm;
  }

  private static WasmFunction fn(WasmVm vm, String name, FunctionType type) {
    return vm.function(name, type).orElseThrow();
  }

  private static WasmException runtimeError(WasmFunction f, long... args) {
    WasmException e = assertThrows(WasmException.class, () -> f.call(args));
    assertEquals(FailState.RUNTIME_ERROR, e.failState());
    return e;
  }

  @Test
  void trapFailsTheVmOnceAndLaterCallsAreRefused() {
    WasmVm vm = vm();
    WasmFunction tick = fn(vm, "tick", FunctionType.i32(0, 0));
    tick.call();

    WasmException e = runtimeError(fn(vm, "boom", FunctionType.i32(0, 0)));

    String message = "Function: boom failed: Trapped on unreachable instruction";
    assertEquals(message, e.getMessage());
    assertEquals(FailState.RUNTIME_ERROR, vm.failState());
    assertEquals(
        List.of("RUNTIME_ERROR: " + message, "callback RUNTIME_ERROR"), integration.events);

    WasmException refused = runtimeError(tick);
    assertEquals("Function: tick not called: the VM has failed", refused.getMessage());
    assertEquals(1, ticks.get());

    vm.fail(FailState.CONFIGURE_FAILED, "later");
    assertEquals(FailState.RUNTIME_ERROR, vm.failState());
    assertEquals(2, integration.events.size());
  }

  @Test
  void failByTheHostReportsThenRunsCallbacksAndStopsCalls() {
    WasmVm vm = vm();

    vm.fail(FailState.START_FAILED, "no start");
    vm.fail(FailState.RUNTIME_ERROR, "second");

    assertEquals(FailState.START_FAILED, vm.failState());
    assertEquals(List.of("START_FAILED: no start", "callback START_FAILED"), integration.events);
    runtimeError(fn(vm, "tick", FunctionType.i32(0, 0)));
    assertEquals(0, ticks.get());
    assertThrows(IllegalArgumentException.class, () -> vm.fail(FailState.OK, "ok"));
  }

  @Test
  void throwingHostFunctionIsARuntimeError() {
    WasmVm vm = vm();

    WasmException e = runtimeError(fn(vm, "explode", FunctionType.i32(0, 1)));

    assertEquals("Function: explode failed: kaput", e.getMessage());
    assertSame(explosion, e.getCause());
    assertEquals(FailState.RUNTIME_ERROR, vm.failState());
  }

  @Test
  void hostFunctionWithTheWrongResultCountIsARuntimeError() {
    explosion = null;
    explodeResult = new long[] {1, 2};
    WasmVm vm = vm();

    WasmException e = runtimeError(fn(vm, "explode", FunctionType.i32(0, 1)));

    assertEquals(
        "Function: explode failed: host function env.explode returned 2 values for 1 results",
        e.getMessage());
  }

  @Test
  void errorInAHostFunctionIsARuntimeError() {
    explosion = new AssertionError("an error");
    WasmVm vm = vm();

    WasmException e = runtimeError(fn(vm, "explode", FunctionType.i32(0, 1)));

    assertEquals("Function: explode failed: an error", e.getMessage());
    assertSame(explosion, e.getCause());
  }

  @Test
  void infiniteRecursionIsARuntimeError() {
    WasmVm vm = vm();

    WasmException e = runtimeError(fn(vm, "recurse", FunctionType.i32(0, 0)));

    assertEquals("Function: recurse failed: call stack exhausted", e.getMessage());
    assertEquals(FailState.RUNTIME_ERROR, vm.failState());
  }

  @Test
  void divisionByZeroIsARuntimeError() {
    WasmVm vm = vm();
    WasmFunction div = fn(vm, "div", FunctionType.i32(2, 1));
    assertEquals(-3, (int) div.call(-7, 2)[0]);

    WasmException e = runtimeError(div, 1, 0);

    assertEquals("Function: div failed: integer divide by zero", e.getMessage());
    assertEquals(FailState.RUNTIME_ERROR, vm.failState());
    assertEquals(
        List.of("RUNTIME_ERROR: " + e.getMessage(), "callback RUNTIME_ERROR"), integration.events);
  }

  @Test
  void nestedTrapFailsOnceAndBothCallsFail() {
    explosion = null;
    ChicoryVm vm = Wat.loaded(integration, MODULE);
    vm.registerHostFunction(new HostFunction("env", "tick", FunctionType.i32(0, 0), a -> null));
    vm.registerHostFunction(
        new HostFunction(
            "env",
            "explode",
            FunctionType.i32(0, 1),
            args -> vm.function("boom", FunctionType.i32(0, 0)).orElseThrow().call()));
    vm.link("test");

    WasmException e = runtimeError(fn(vm, "explode", FunctionType.i32(0, 1)));

    assertEquals(
        "Function: explode failed: Function: boom failed: Trapped on unreachable instruction",
        e.getMessage());
    assertEquals(
        List.of("RUNTIME_ERROR: Function: boom failed: Trapped on unreachable instruction"),
        integration.events);
  }
}

package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmVm;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChicoryVmCloneTest {
  private static final String MODULE =
      """
      (module
        (import "env" "get" (func $get (result i32)))
        (memory 1)
        (global $counter (mut i32) (i32.const 0))
        (data (i32.const 0) "\\05")
        (func (export "proxy_abi_version_0_2_1"))
        (func (export "next") (result i32)
          global.get $counter call $get i32.add global.set $counter global.get $counter)
        (func (export "boom") unreachable))
      """;

  private final RecordingIntegration integration = new RecordingIntegration();

  private static void link(WasmVm vm, int value) {
    vm.registerHostFunction(
        new HostFunction("env", "get", FunctionType.i32(0, 1), args -> new long[] {value}));
    vm.link("test");
  }

  private static int next(WasmVm vm) {
    return (int) vm.function("next", FunctionType.i32(0, 1)).orElseThrow().call()[0];
  }

  @Test
  void cloneSharesCodeButNoState() {
    ChicoryVm base = Wat.loaded(integration, MODULE);
    link(base, 1);
    next(base);
    base.memory().orElseThrow().write(0, new byte[] {9}, 0, 1);

    WasmVm clone = base.cloneVm();

    assertEquals("chicory", clone.runtimeName());
    assertEquals(Optional.of(AbiVersion.V0_2_1), clone.abiVersion());
    assertEquals(base.functionImports(), clone.functionImports());
    assertThrows(IllegalStateException.class, () -> clone.memory().orElseThrow().size());
    WasmException missing = assertThrows(WasmException.class, () -> clone.link("clone"));
    assertEquals(
        "Failed to load Wasm module due to a missing import: env.get", missing.getMessage());

    link(clone, 10);
    assertEquals(5, clone.memory().orElseThrow().read(0, 1)[0]); // data segments are applied anew
    assertEquals(10, next(clone)); // globals start over; the clone has its own host function
    clone.memory().orElseThrow().writeInt(100, 77);
    assertEquals(0, base.memory().orElseThrow().readInt(100));
    assertEquals(2, next(base));
    assertEquals(9, base.memory().orElseThrow().read(0, 1)[0]);
  }

  @Test
  void failureOfACloneStaysInTheClone() {
    ChicoryVm base = Wat.loaded(integration, MODULE);
    link(base, 1);
    WasmVm clone = base.cloneVm();
    link(clone, 1);
    List<FailState> baseCallbacks = new java.util.ArrayList<>();
    base.addFailCallback(baseCallbacks::add);

    assertThrows(
        WasmException.class,
        () -> clone.function("boom", FunctionType.i32(0, 0)).orElseThrow().call());

    assertEquals(FailState.RUNTIME_ERROR, clone.failState());
    assertEquals(FailState.OK, base.failState());
    assertEquals(List.of(), baseCallbacks);
    assertEquals(
        List.of("RUNTIME_ERROR: Function: boom failed: Trapped on unreachable instruction"),
        integration.events);
    assertEquals(1, next(base));

    WasmVm fresh = clone.cloneVm();
    link(fresh, 3);
    assertEquals(FailState.OK, fresh.failState());
    assertEquals(3, next(fresh));
  }

  @Test
  void cloneOutlivesItsBase() {
    ChicoryVm base = Wat.loaded(integration, MODULE);
    WasmVm clone = base.cloneVm();
    base.close();

    link(clone, 4);

    assertEquals(4, next(clone));
  }
}

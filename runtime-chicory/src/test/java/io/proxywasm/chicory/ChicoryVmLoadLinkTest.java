package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Cloneability;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmVm;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ChicoryVmLoadLinkTest {
  private static final String PING =
      """
      (module
        (import "env" "ping" (func $ping (param i32)))
        (func (export "run") i32.const 7 call $ping))
      """;

  private final RecordingIntegration integration = new RecordingIntegration();

  private static WasmException loadFailure(byte[] bytes) {
    ChicoryVm vm = new ChicoryVm(new RecordingIntegration());
    WasmException e = assertThrows(WasmException.class, () -> vm.load(bytes));
    assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, e.failState());
    return e;
  }

  @Test
  void badMagicIsReported() {
    for (byte[] bytes :
        List.of(new byte[0], new byte[] {0, 'a', 's'}, new byte[] {0, 'a', 's', 'n', 1, 0, 0, 0})) {
      assertEquals(
          "Failed to load Wasm bytecode: not a WebAssembly module (bad magic number)",
          loadFailure(bytes).getMessage());
    }
  }

  @Test
  void truncatedOrInvalidBytecodeIsReported() {
    for (byte[] bytes :
        List.of(
            new byte[] {0, 'a', 's', 'm'},
            new byte[] {0, 'a', 's', 'm', 2, 0, 0, 0},
            new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 1},
            // a function declared with type 0 in a module without types
            new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0, 3, 2, 1, 0})) {
      WasmException e = loadFailure(bytes);
      assertTrue(e.getMessage().startsWith("Failed to load Wasm bytecode: "), e.getMessage());
    }
  }

  @Test
  void importWithANonNumericTypeCannotBeLoaded() {
    WasmException e =
        loadFailure(Wat.wasm("(module (import \"env\" \"r\" (func (param externref))))"));

    assertEquals(
        "Failed to load Wasm bytecode: the import env.r has a signature no host function can"
            + " have: (externref) -> ()",
        e.getMessage());
  }

  @Test
  void missingImportIsNamed() {
    ChicoryVm vm = Wat.loaded(integration, PING);
    vm.registerHostFunction(new HostFunction("env", "other", FunctionType.i32(1, 0), a -> null));
    vm.registerHostFunction(new HostFunction("other", "ping", FunctionType.i32(1, 0), a -> null));

    WasmException e = assertThrows(WasmException.class, () -> vm.link("test"));

    assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, e.failState());
    assertEquals("Failed to load Wasm module due to a missing import: env.ping", e.getMessage());
  }

  @Test
  void importTypeMismatchNamesBothSignatures() {
    ChicoryVm vm = Wat.loaded(integration, PING);
    vm.registerHostFunction(new HostFunction("env", "ping", FunctionType.i32(1, 1), a -> null));

    WasmException e = assertThrows(WasmException.class, () -> vm.link("test"));

    assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, e.failState());
    assertEquals(
        "Failed to load Wasm module due to an import type mismatch: env.ping, want: (i32) -> (),"
            + " but host exports: (i32) -> (i32)",
        e.getMessage());
  }

  @Test
  void reRegisteringReplacesTheHostFunction() {
    ChicoryVm vm = Wat.loaded(integration, PING);
    AtomicInteger seen = new AtomicInteger();
    vm.registerHostFunction(new HostFunction("env", "ping", FunctionType.i32(0, 0), a -> null));
    vm.registerHostFunction(
        new HostFunction(
            "env",
            "ping",
            FunctionType.i32(1, 0),
            a -> {
              seen.set((int) a[0]);
              return null;
            }));
    vm.link("test");

    vm.function("run", FunctionType.i32(0, 0)).orElseThrow().call();

    assertEquals(7, seen.get());
  }

  @Test
  void importedGlobalsAreRefused() {
    ChicoryVm vm = Wat.loaded(integration, "(module (import \"env\" \"g\" (global i32)))");

    WasmException e = assertThrows(WasmException.class, () -> vm.link("test"));

    assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, e.failState());
    assertEquals(
        "Failed to load Wasm module due to an unsupported import: env.g is a global; only"
            + " functions, memories and tables can be imported",
        e.getMessage());
  }

  @Test
  void importedMemoryAndTableAreCreated() {
    WasmVm vm =
        Wat.linked(
            integration,
            """
            (module
              (import "env" "memory" (memory 2 4))
              (import "env" "table" (table 1 funcref))
              (type $ret (func (result i32)))
              (func $five (result i32) i32.const 5)
              (elem (i32.const 0) $five)
              (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store)
              (func (export "indirect") (result i32) i32.const 0 call_indirect (type $ret)))
            """);

    assertEquals(2 * 65536, vm.memory().orElseThrow().size());
    vm.function("store", FunctionType.i32(2, 0)).orElseThrow().call(131068, 99);
    assertEquals(99, vm.memory().orElseThrow().readInt(131068));
    assertEquals(5, (int) vm.function("indirect", FunctionType.i32(0, 1)).orElseThrow().call()[0]);
  }

  @Test
  void startSectionRunsAtLinkButStartExportsDoNot() {
    AtomicInteger seen = new AtomicInteger();
    ChicoryVm vm =
        Wat.loaded(
            integration,
            """
            (module
              (import "env" "peek" (func $peek (param i32)))
              (memory 1)
              (data (i32.const 8) "\\2a\\00\\00\\00")
              (func $init i32.const 0 i32.const 7 i32.store i32.const 8 call $peek)
              (start $init)
              (func (export "_start") unreachable)
              (func (export "_initialize") unreachable))
            """);
    vm.registerHostFunction(
        new HostFunction(
            "env",
            "peek",
            FunctionType.i32(1, 0),
            args -> {
              seen.set(
                  vm.memory()
                      .orElseThrow()
                      .readInt(args[0])); // memory is reachable from the start section
              return null;
            }));

    vm.link("test");

    assertEquals(42, seen.get());
    assertEquals(7, vm.memory().orElseThrow().readInt(0));
    assertEquals(FailState.OK, vm.failState());
  }

  @Test
  void trapInStartSectionFailsTheLink() {
    ChicoryVm vm = Wat.loaded(integration, "(module (func $f unreachable) (start $f))");

    WasmException e = assertThrows(WasmException.class, () -> vm.link("my-vm"));

    assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, e.failState());
    assertTrue(
        e.getMessage().startsWith("Failed to instantiate Wasm module my-vm: "), e.getMessage());
    assertThrows(IllegalStateException.class, () -> vm.memory().orElseThrow().size());
  }

  @Test
  void abiVersionIsTheFirstMarkerFunctionExport() {
    String exports =
        """
        (module
          (memory 1)
          (func $a) (func $b) (func $c)
          (export "proxy_abi_version_0_2_1" (memory 0))
          (export "malloc" (func $a))
          (export "proxy_abi_version_0_2_0" (func $b))
          (export "proxy_abi_version_0_1_0" (func $c)))
        """;

    assertEquals(Optional.of(AbiVersion.V0_2_0), Wat.loaded(integration, exports).abiVersion());
    assertEquals(
        Optional.empty(),
        Wat.loaded(integration, "(module (func (export \"proxy_abi_version_9\")))").abiVersion());
  }

  @Test
  void functionImportsAreListedInModuleOrder() {
    ChicoryVm vm =
        Wat.loaded(
            integration,
            """
            (module
              (import "env" "a" (func (param i32 i32) (result i32)))
              (import "env" "memory" (memory 1))
              (import "wasi_snapshot_preview1" "fd_write"
                (func (param i32 i32 i32 i32) (result i32)))
              (import "env" "b" (func (param i64 f32 f64))))
            """);

    assertEquals(
        List.of(
            new FunctionImport("env", "a", FunctionType.i32(2, 1)),
            new FunctionImport("wasi_snapshot_preview1", "fd_write", FunctionType.i32(4, 1)),
            new FunctionImport(
                "env",
                "b",
                FunctionType.of(List.of(ValueType.I64, ValueType.F32, ValueType.F64), List.of()))),
        vm.functionImports());
  }

  @Test
  void lifecycleIsEnforced() {
    ChicoryVm vm = new ChicoryVm(integration);
    assertEquals("chicory", vm.runtimeName());
    assertEquals(Cloneability.COMPILED_BYTECODE, vm.cloneability());
    assertThrows(IllegalStateException.class, vm::abiVersion);
    assertThrows(IllegalStateException.class, vm::functionImports);
    assertThrows(IllegalStateException.class, () -> vm.link("test"));
    assertThrows(IllegalStateException.class, vm::cloneVm);

    vm.load(Wat.wasm("(module (memory 1) (func (export \"f\")))"));
    assertThrows(IllegalStateException.class, () -> vm.load(Wat.wasm("(module)")));
    assertThrows(IllegalStateException.class, () -> vm.function("f", FunctionType.i32(0, 0)));
    assertThrows(IllegalStateException.class, () -> vm.memory().orElseThrow().size());

    vm.link("test");
    assertThrows(IllegalStateException.class, () -> vm.link("test"));
    var f = vm.function("f", FunctionType.i32(0, 0)).orElseThrow();
    f.call();

    vm.close();
    vm.close();
    assertThrows(IllegalStateException.class, f::call);
    assertThrows(IllegalStateException.class, () -> vm.memory().orElseThrow().size());
    assertThrows(IllegalStateException.class, () -> vm.memory().orElseThrow().readInt(0));
    assertThrows(IllegalStateException.class, () -> vm.function("f", FunctionType.i32(0, 0)));
    assertThrows(IllegalStateException.class, vm::abiVersion);
    assertThrows(IllegalStateException.class, vm::cloneVm);
    assertThrows(
        IllegalStateException.class,
        () -> vm.registerHostFunction(new HostFunction("e", "n", FunctionType.i32(0, 0), a -> a)));
  }
}

package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.proxywasm.spi.Cloneability;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.VmCapability;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvidersTest {

  @Test
  void serviceLoaderFindsBothRuntimesAndPrefersTheCompiler() {
    Runtimes runtimes = Runtimes.discover();

    assertInstanceOf(ChicoryInterpreterProvider.class, runtimes.get("chicory"));
    assertInstanceOf(ChicoryCompilerProvider.class, runtimes.get("chicory-compiler"));
    assertInstanceOf(ChicoryCompilerProvider.class, runtimes.preferred());
    assertEquals(List.of(), runtimes.problems());
  }

  private static void createsWorkingVms(WasmVmProvider provider) {
    try (WasmVm vm = provider.create(new RecordingIntegration())) {
      assertEquals(provider.name(), vm.runtimeName());
      assertEquals(Cloneability.COMPILED_BYTECODE, vm.cloneability());
      vm.load(Wat.wasm("(module (func (export \"seven\") (result i32) i32.const 7))"));
      vm.link("test");
      assertEquals(7, vm.function("seven", FunctionType.i32(0, 1)).orElseThrow().call()[0]);
      try (WasmVm clone = vm.cloneVm()) {
        assertEquals(provider.name(), clone.runtimeName());
        clone.link("clone");
        assertEquals(7, clone.function("seven", FunctionType.i32(0, 1)).orElseThrow().call()[0]);
      }
    }
  }

  @Test
  void interpreter() {
    WasmVmProvider provider = new ChicoryInterpreterProvider();
    assertEquals("chicory", provider.name());
    assertEquals(
        Set.of(VmCapability.WASM_BYTECODE, VmCapability.TERMINATE, VmCapability.MEMORY_LIMIT),
        provider.capabilities());
    assertEquals(0, provider.priority());
    createsWorkingVms(provider);
  }

  @Test
  void compiler() {
    WasmVmProvider provider = new ChicoryCompilerProvider();
    assertEquals("chicory-compiler", provider.name());
    assertEquals(
        Set.of(
            VmCapability.WASM_BYTECODE,
            VmCapability.COMPILED,
            VmCapability.TERMINATE,
            VmCapability.MEMORY_LIMIT),
        provider.capabilities());
    assertEquals(10, provider.priority());
    createsWorkingVms(provider);
  }

  @Test
  void aCompilerSetUpToStartWithoutCompilingOutranksRuntimeAsm(@TempDir Path cache) {
    assertEquals(30, ChicoryCompilerProvider.builder().cacheDirectory(cache).build().priority());
    assertEquals(
        30,
        ChicoryCompilerProvider.builder()
            .precompiled(
                Wat.wasm("(module)"),
                instance -> {
                  throw new AssertionError("not run");
                })
            .build()
            .priority());
    assertEquals(10, ChicoryCompilerProvider.builder().build().priority());
  }
}

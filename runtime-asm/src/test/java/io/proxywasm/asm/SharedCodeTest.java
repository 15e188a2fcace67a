package io.proxywasm.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.dylibso.chicory.wabt.Wat2Wasm;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import org.junit.jupiter.api.Test;

/**
 * A module is parsed and translated once per process while a VM holds it: a second base VM of the
 * same bytes (another vm_id or VM configuration in the host) reuses it and still has state of its
 * own.
 */
class SharedCodeTest {
  private static final WasmVmIntegration QUIET = (state, message) -> {};

  private static final byte[] COUNTER =
      Wat2Wasm.parse(
          "(module (global $n (mut i32) (i32.const 0))"
              + " (func (export \"next\") (result i32)"
              + " (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))");

  private static long next(WasmVm vm) {
    return vm.function("next", FunctionType.i32(0, 1)).orElseThrow().call()[0];
  }

  @Test
  void aSecondVmOfTheSameModuleIsNotTranslatedAgain() {
    AsmVm.forgetShared();
    long before = AsmVm.TRANSLATIONS.get();
    try (WasmVm first = new AsmProvider().create(QUIET);
        WasmVm second = new AsmProvider().create(QUIET)) {
      first.load(COUNTER);
      second.load(COUNTER.clone());
      assertEquals(1, AsmVm.TRANSLATIONS.get() - before, "the same bytes, one translation");
      first.link("first");
      second.link("second");
      assertEquals(1, next(first));
      assertEquals(2, next(first));
      assertEquals(1, next(second), "each VM has its own globals");
      try (WasmVm other = new AsmProvider().create(QUIET)) {
        other.load(Wat2Wasm.parse("(module (func (export \"f\")))"));
        assertEquals(2, AsmVm.TRANSLATIONS.get() - before, "other bytes, another translation");
      }
    }
    AsmVm.forgetShared();
    try (WasmVm again = new AsmProvider().create(QUIET)) {
      again.load(COUNTER);
      assertEquals(3, AsmVm.TRANSLATIONS.get() - before, "after a restart, translated again");
    }
  }
}

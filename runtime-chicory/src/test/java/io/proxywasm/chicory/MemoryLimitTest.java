package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The integration's memory limit caps growth inside the plugin, for the base and every clone. */
class MemoryLimitTest {
  private static final String GROWER =
      "(module (memory (export \"memory\") 1)\n"
          + "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0))))";

  private static RecordingIntegration limitedTo(long bytes) {
    return new RecordingIntegration() {
      @Override
      public long memoryLimitBytes() {
        return bytes;
      }
    };
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void growthPastTheLimitReturnsMinusOne(boolean compile) {
    ChicoryVm base = new ChicoryVm("test", CodeSource.of(compile), limitedTo(3 * 65536));
    base.load(Wat.wasm(GROWER));
    base.link("base");
    try (WasmVm clone = base.cloneVm()) {
      clone.link("clone");
      for (WasmVm vm : new WasmVm[] {base, clone}) {
        WasmFunction grow = vm.function("grow", FunctionType.i32(1, 1)).orElseThrow();
        assertEquals(1, (int) grow.call(2)[0], "1 -> 3 pages");
        assertEquals(-1, (int) grow.call(1)[0], "past the limit");
        assertEquals(3 * 65536, vm.memory().orElseThrow().size());
        assertEquals(FailState.OK, vm.failState(), "a refused growth is not a failure");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void initialMemoryOverTheLimitFailsToLink(boolean compile) {
    ChicoryVm vm = new ChicoryVm("test", CodeSource.of(compile), limitedTo(65535));
    vm.load(Wat.wasm(GROWER));
    WasmException e = assertThrows(WasmException.class, () -> vm.link("small"));
    assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, e.failState());
    assertTrue(e.getMessage().contains("over the memory limit of 65535 bytes"), e.getMessage());
  }
}

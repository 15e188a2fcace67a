package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wabt.Wat2Wasm;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** terminate() stops loops with and without calls, on both engines, and leaks no interrupt. */
class TerminateTest {
  private static final byte[] LOOPS =
      Wat2Wasm.parse(
          "(module\n"
              + "  (func $nop)\n"
              + "  (func (export \"spin\") (loop $l (br $l)))\n"
              + "  (func (export \"spin_calling\") (loop $l (call $nop) (br $l)))\n"
              + "  (func (export \"quick\") (result i32) (i32.const 7)))");

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void terminateStopsARunningLoop(boolean compile) throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      for (String export : new String[] {"spin", "spin_calling"}) {
        ChicoryVm vm = new ChicoryVm("test", CodeSource.of(compile), new RecordingIntegration());
        vm.load(LOOPS);
        vm.link("loops");
        WasmFunction f = vm.function(export, FunctionType.i32(0, 0)).orElseThrow();
        timer.schedule(vm::terminate, 100, TimeUnit.MILLISECONDS);
        WasmException e = assertThrows(WasmException.class, f::call, export);
        assertEquals(FailState.RUNTIME_ERROR, e.failState());
        assertTrue(e.getMessage().startsWith("Function: " + export + " failed"), e.getMessage());
        assertFalse(Thread.currentThread().isInterrupted(), "interrupt cleared after " + export);
        assertEquals(FailState.RUNTIME_ERROR, vm.failState());
      }
    } finally {
      timer.shutdownNow();
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void terminateBetweenCallsDoesNothing(boolean compile) {
    ChicoryVm vm = new ChicoryVm("test", CodeSource.of(compile), new RecordingIntegration());
    vm.load(LOOPS);
    vm.link("loops");
    vm.terminate();
    WasmFunction quick = vm.function("quick", FunctionType.i32(0, 1)).orElseThrow();
    assertEquals(7, quick.call()[0]);
    assertEquals(FailState.OK, vm.failState());
    assertFalse(Thread.currentThread().isInterrupted());
  }
}

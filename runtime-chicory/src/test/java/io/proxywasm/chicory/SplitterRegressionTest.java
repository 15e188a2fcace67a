package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.InvalidException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.nio.file.Files;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Modules on which the differential fuzzer found {@link FunctionSplitter} wrong, forced to split
 * every function. Production splits only functions too big for the JIT, and validates the result
 * with Chicory's parser before using it: an invalid split falls back to the original module.
 */
class SplitterRegressionTest {

  /**
   * Known issue: on seed 129's module (binaryen -ttf), splitting every function produces code that
   * does not validate ("type mismatch, mismatching stack height" in {@code hashMemory} and others:
   * runs of dead code after a branch inside value-typed blocks are moved as if they were
   * stack-neutral statements). The fallback holds: the validator refuses the result and the
   * original module runs and computes what V8 computes. When the splitter is fixed, the first
   * assertion fails: make it assert a valid split.
   */
  @Test
  void seed129SplitIsRefusedByTheValidatorAndTheOriginalRuns() throws Exception {
    byte[] bytes =
        Files.readAllBytes(
            DifferentialFuzz.regressions().resolve("splitter").resolve("seed-129.wasm"));
    WasmModule module = Parser.parse(bytes);
    byte[] split = DifferentialFuzz.splitAll(bytes, module).orElseThrow();
    InvalidException invalid = assertThrows(InvalidException.class, () -> Parser.parse(split));
    assertTrue(invalid.getMessage().contains("type mismatch"), invalid.getMessage());
    assertEquals(Optional.empty(), DifferentialFuzz.validSplit(bytes, module));
    assertEquals(
        DifferentialFuzz.runChicory(bytes, DifferentialFuzz.Engine.COMPILER, true),
        DifferentialFuzz.runChicory(bytes, DifferentialFuzz.Engine.COMPILER_SPLIT, true),
        "the split engine runs the original");
  }
}

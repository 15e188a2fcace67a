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

  private static byte[] module(String name) throws Exception {
    return Files.readAllBytes(DifferentialFuzz.regressions().resolve("splitter").resolve(name));
  }

  /**
   * Seed 129's module (binaryen -ttf) ends blocks and ifs with several values, then drops them one
   * by one: a drop there does not empty the stack, so it ends no statement. The splitter took it
   * for a statement boundary and moved the following drops into a new function (invalid code). It
   * now leaves such functions whole: splitting gives a valid module or none.
   */
  @Test
  void multiValueBlocksAreNotCutAtTheirDrops() throws Exception {
    byte[] bytes = module("seed-129.wasm");
    WasmModule module = Parser.parse(bytes);
    Optional<byte[]> split = DifferentialFuzz.splitAll(bytes, module);
    if (split.isPresent()) {
      Parser.parse(split.get()); // validates every moved run
    }
    assertEquals(
        DifferentialFuzz.runChicory(bytes, DifferentialFuzz.Engine.INTERPRETER, true),
        DifferentialFuzz.runChicory(bytes, DifferentialFuzz.Engine.COMPILER_SPLIT, true));
  }

  /**
   * Known issue: in seed 164's module a value pushed before a statement stays on the stack under it
   * and is consumed after it ({@code func_10}); the splitter, which takes a {@code global.set} or a
   * store as the end of a statement without tracking the stack's height, moves the run and the
   * result does not validate. The fallback holds: the validator refuses the split, the original
   * runs, and computes what the interpreter computes. When the splitter tracks stack heights, the
   * first assertion fails: make it assert a valid split.
   */
  @Test
  void aValueLeftUnderAStatementMakesAnInvalidSplitThatIsRefused() throws Exception {
    byte[] bytes = module("seed-164.wasm");
    WasmModule module = Parser.parse(bytes);
    byte[] split = DifferentialFuzz.splitAll(bytes, module).orElseThrow();
    InvalidException invalid = assertThrows(InvalidException.class, () -> Parser.parse(split));
    assertTrue(invalid.getMessage().contains("type mismatch"), invalid.getMessage());
    assertEquals(Optional.empty(), DifferentialFuzz.validSplit(bytes, module));
    assertEquals(
        DifferentialFuzz.runChicory(bytes, DifferentialFuzz.Engine.INTERPRETER, true),
        DifferentialFuzz.runChicory(bytes, DifferentialFuzz.Engine.COMPILER_SPLIT, true),
        "the split engine runs the original");
  }
}

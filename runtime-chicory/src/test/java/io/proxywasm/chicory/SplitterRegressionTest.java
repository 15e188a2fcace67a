package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import io.proxywasm.chicory.split.FunctionSplitter;
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
   * Seed 164: a value left on the operand stack under a statement. The splitter used to cut there
   * and make a module the validator refused; it now cuts only where a stack-height analysis proves
   * the stack empty, so the split is valid and computes what the interpreter computes on the
   * original.
   */
  @Test
  void aValueLeftUnderAStatementIsNotCutThrough() throws Exception {
    byte[] bytes = module("seed-164.wasm");
    WasmModule module = Parser.parse(bytes);
    byte[] split = DifferentialFuzz.splitAll(bytes, module).orElseThrow();
    Parser.parse(split); // validates
    assertTrue(DifferentialFuzz.validSplit(bytes, module).isPresent());
    assertEquals(
        DifferentialFuzz.runChicory(bytes, DifferentialFuzz.Engine.INTERPRETER, true),
        DifferentialFuzz.runChicory(bytes, DifferentialFuzz.Engine.COMPILER_SPLIT, true),
        "the split code computes what the original computes");
  }
}

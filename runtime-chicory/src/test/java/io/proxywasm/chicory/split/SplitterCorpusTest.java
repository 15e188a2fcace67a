package io.proxywasm.chicory.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The splitter on code real toolchains wrote (clang, the AssemblyScript SDK): every function of a
 * corpus plugin offered for splitting, the result must be a valid module with the same exports that
 * Chicory compiles.
 */
class SplitterCorpusTest {
  private static final Path CORPUS =
      Path.of(System.getProperty("proxywasm.plugins.dir", "../plugins"), "wasm");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "c-http-headers.wasm",
        "c-callout.wasm",
        "c-path-collector.wasm",
        "as-http-headers.wasm",
        "as-hello-world.wasm"
      })
  void everyFunctionOfACorpusPluginSplitsIntoAValidModule(String plugin) throws Exception {
    byte[] bytes = Files.readAllBytes(CORPUS.resolve(plugin));
    WasmModule module = Parser.parse(bytes);
    Set<Integer> all = new TreeSet<>();
    // every function index, imports counted (imported ones are ignored)
    int functions = module.importSection().importCount() + module.functionSection().functionCount();
    for (int i = 0; i < functions; i++) {
      all.add(i);
    }
    var result = FunctionSplitter.split(bytes, module, all);
    assertTrue(result.isPresent(), "some runs of statements were moved");
    assertTrue(result.get().piecesAdded() > 0);
    WasmModule split = Parser.parse(result.get().module()); // validates every moved run
    assertEquals(
        module.functionSection().functionCount() + result.get().piecesAdded(),
        split.functionSection().functionCount());
    assertEquals(module.exportSection().exportCount(), split.exportSection().exportCount());
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      assertEquals(
          module.exportSection().getExport(i).name(), split.exportSection().getExport(i).name());
      assertEquals(
          module.exportSection().getExport(i).index(), split.exportSection().getExport(i).index());
    }
    assertTrue(MachineFactoryCompiler.compile(split) != null);
  }
}

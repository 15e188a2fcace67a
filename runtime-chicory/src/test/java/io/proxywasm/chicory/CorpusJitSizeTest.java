package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import io.proxywasm.chicory.split.FunctionSplitter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every corpus module, as {@code chicory-compiler} loads it in a JVM that leaves huge methods
 * interpreted, translates to methods HotSpot JIT-compiles: none over its 8000-byte limit. (The Go
 * programs, the ones with huge functions, are loaded and run by {@link GoJsSplitTest}, which
 * asserts the same of them.)
 */
class CorpusJitSizeTest {
  private static final Path CORPUS =
      Path.of(System.getProperty("proxywasm.plugins.dir", "../plugins"), "wasm");

  static Stream<String> corpus() throws IOException {
    try (Stream<Path> files = Files.list(CORPUS)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".wasm") && !n.startsWith("go-js-"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void noGeneratedMethodIsOverHotSpotsLimit(String name) throws Exception {
    Assumptions.assumeTrue(HugeMethods.jvmSkipsHugeMethods());
    byte[] bytes = Files.readAllBytes(CORPUS.resolve(name));
    WasmModule module;
    try {
      module = Parser.parse(bytes);
    } catch (ChicoryException e) {
      Assumptions.abort(name + " is not a valid module: " + e.getMessage());
      return;
    }
    CodeSource.Translation t =
        CodeSource.compiler(true, Optional.empty(), Map.of())
            .translation(CodeSource.sha256(bytes), bytes, module);
    assertEquals(List.of(), t.hugeMethods(), name);
  }

  @Test
  void aFunctionWhoseSplitIsRejectedStaysWholeAndTheOthersAreStillSplit() {
    Set<Integer> all = new TreeSet<>();
    for (int i = 0; i < 40; i++) {
      all.add(i);
    }
    AtomicInteger checks = new AtomicInteger();
    Set<Integer> kept =
        FunctionSplitter.keepValid(
            all,
            subset -> {
              checks.incrementAndGet();
              return !subset.contains(7) && !subset.contains(31);
            });
    Set<Integer> want = new TreeSet<>(all);
    want.remove(7);
    want.remove(31);
    assertEquals(want, kept);
    assertFalse(checks.get() > 24, checks.get() + " checks, not one per function");
  }
}

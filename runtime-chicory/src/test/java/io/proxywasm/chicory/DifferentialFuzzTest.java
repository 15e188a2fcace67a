package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded run of the differential fuzzer ({@link DifferentialFuzz}): the modules of 30 seeds (10
 * on the module path) on Chicory's interpreter, its compiler, the compiler with every function
 * split, and V8. Every discrepancy must be a known upstream issue listed in {@code
 * fuzz-regressions/known-seeds.txt} (and a listed one that now agrees fails too: the list must be
 * updated). The long run is {@code benchmarks/fuzz/differential.sh}, which sets {@code
 * proxywasm.fuzz.first} and {@code proxywasm.fuzz.seeds}.
 */
class DifferentialFuzzTest {

  @Test
  void chicoryEnginesAndV8AgreeOnGeneratedModules(@TempDir Path dir) throws Exception {
    Optional<String> missing = DifferentialFuzz.missingTool();
    Assumptions.assumeTrue(
        missing.isEmpty(),
        () ->
            "differential fuzzing needs "
                + missing.orElse("")
                + " on the PATH (binaryen's wasm-opt and node); plugins/install-toolchains.sh"
                + " installs them");
    String seeds = System.getProperty("proxywasm.fuzz.seeds");
    Assumptions.assumeFalse(
        seeds != null && getClass().getModule().isNamed(),
        "a long run goes once, on the class path");
    long first = Long.getLong("proxywasm.fuzz.first", 1);
    // On the module path only the first 10 seeds: the harness drives Chicory directly, so the
    // second run checks the module path, not the engines again; the build stays near a minute.
    long count = seeds != null ? Long.parseLong(seeds) : getClass().getModule().isNamed() ? 10 : 30;
    Path keep = Path.of(System.getProperty("proxywasm.fuzz.dir", dir.toString()));
    DifferentialFuzz.Report report =
        DifferentialFuzz.run(first, count, Files.createDirectories(keep));
    System.out.println(report.summary());

    Map<Long, String[]> known = DifferentialFuzz.knownSeeds();
    List<String> unexplained = new ArrayList<>();
    List<Long> explained = new ArrayList<>();
    for (DifferentialFuzz.Outcome o : report.discrepancies()) {
      String[] k = known.get(o.seed());
      if (k != null && k[0].equals(report.moduleHashes().get(o.seed()))) {
        explained.add(o.seed());
        System.out.println("known upstream issue (" + k[1] + "): " + o.difference());
      } else {
        unexplained.add(o.difference());
      }
    }
    List<Long> expectedKnown = new ArrayList<>();
    known.forEach(
        (seed, k) -> {
          if (k[0].equals(report.moduleHashes().get(seed))) {
            expectedKnown.add(seed);
          }
        });
    unexplained.forEach(System.out::println);
    assertEquals(List.of(), unexplained, report.summary());
    assertEquals(
        expectedKnown,
        explained,
        "a known discrepancy no longer shows: update fuzz-regressions/known-seeds.txt");
  }
}

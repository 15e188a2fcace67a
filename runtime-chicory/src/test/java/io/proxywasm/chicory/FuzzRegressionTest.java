package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The modules the differential fuzzer found discrepancies in, run on each Chicory engine against
 * what the spec (V8) gives, in {@code fuzz-regressions/<name>.expected}. A module of a known
 * upstream Chicory issue ({@code known-issues.txt}) must still give exactly what Chicory 1.7.5 gave
 * ({@code <name>.chicory}), so that a Chicory upgrade that fixes or changes it fails here and the
 * module becomes a plain regression.
 */
class FuzzRegressionTest {

  static Stream<String> modules() throws IOException {
    try (Stream<Path> files = Files.list(DifferentialFuzz.regressions())) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".wasm"))
          .map(n -> n.substring(0, n.length() - ".wasm".length()))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("modules")
  void everyEngineRunsTheModuleAsExpected(String name) throws IOException {
    Path dir = DifferentialFuzz.regressions();
    byte[] module = Files.readAllBytes(dir.resolve(name + ".wasm"));
    String spec = Files.readString(dir.resolve(name + ".expected"));
    Path deviation = dir.resolve(name + ".chicory");
    Map<String, String> issues = DifferentialFuzz.knownIssues();
    for (DifferentialFuzz.Engine engine : DifferentialFuzz.Engine.values()) {
      String actual = DifferentialFuzz.runChicory(module, engine);
      if (Files.exists(deviation)) {
        String issue = issues.get(name);
        assertTrue(issue != null, name + " has a .chicory file but no entry in known-issues.txt");
        assertNotEquals(
            spec,
            actual,
            engine
                + " now runs "
                + name
                + " as the spec says (fixed upstream: "
                + issue
                + "); delete "
                + name
                + ".chicory and its known-issues.txt entry");
        assertEquals(
            Files.readString(deviation),
            actual,
            engine + " deviates from the spec differently than the known issue: " + issue);
      } else {
        assertEquals(spec, actual, engine + " on " + name);
      }
    }
  }

  @Test
  void theKnownIssuesNameOnlyModulesThatExist() throws IOException {
    List<String> names = modules().toList();
    assertTrue(names.size() >= 5, names.toString());
    for (String known : DifferentialFuzz.knownIssues().keySet()) {
      assertTrue(names.contains(known), "known-issues.txt names " + known + ", not a module");
    }
  }
}

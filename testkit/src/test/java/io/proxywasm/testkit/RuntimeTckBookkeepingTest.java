package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmVmProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** Exclusions need real case names and reasons; an expected failure that passes fails. */
class RuntimeTckBookkeepingTest {
  private static final class Tck extends RuntimeTck {
    private final Map<String, String> exclusions;
    private final Map<String, String> expected;

    Tck(Map<String, String> exclusions, Map<String, String> expected) {
      this.exclusions = exclusions;
      this.expected = expected;
    }

    @Override
    protected WasmVmProvider provider() {
      return Runtimes.discover().get("chicory");
    }

    @Override
    protected Map<String, String> exclusions() {
      return exclusions;
    }

    @Override
    protected Map<String, String> expectedFailures() {
      return expected;
    }
  }

  @Test
  void anExpectedFailureThatPassesFailsTheBuild() throws Exception {
    Tck tck = new Tck(Map.of(), Map.of("growsMemory", "pretend it is broken"));
    try {
      AssertionFailedError e = assertThrows(AssertionFailedError.class, tck::growsMemory);
      assertTrue(e.getMessage().contains("remove it from the list"), e.getMessage());
    } finally {
      tck.closeVms();
    }
  }

  @Test
  void anExcludedCaseIsSkippedWithItsReason() {
    Tck tck = new Tck(Map.of("growsMemory", "no memory.grow here"), Map.of());
    TestAbortedException e = assertThrows(TestAbortedException.class, tck::growsMemory);
    assertTrue(e.getMessage().contains("no memory.grow here"), e.getMessage());
  }

  @Test
  void anExclusionMustNameACase() {
    Tck tck = new Tck(Map.of("noSuchCase", "typo"), Map.of());
    AssertionFailedError e =
        assertThrows(AssertionFailedError.class, tck::exclusionsAndExpectedFailuresNameRealCases);
    assertTrue(e.getMessage().contains("noSuchCase"), e.getMessage());
  }
}

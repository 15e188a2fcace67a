package io.proxywasm.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Providers registered by hand, and the rules for names and the default. */
class RuntimesTest {

  @AfterEach
  void clearProperty() {
    System.clearProperty(Runtimes.DEFAULT_RUNTIME_PROPERTY);
  }

  @Test
  void byHandLookupAndDefault() {
    Runtimes runtimes =
        Runtimes.of(new FakeRuntime("b", 1), new FakeRuntime("a", 1), new FakeRuntime("c", 0));
    assertEquals(List.of("a", "b", "c"), List.copyOf(runtimes.all().keySet()));
    assertEquals("a", runtimes.preferred().name(), "ties go to the first name");
    assertEquals(Optional.empty(), runtimes.find("zzz"));
    assertEquals("c", runtimes.get("c").name());
    assertTrue(runtimes.problems().isEmpty());
  }

  @Test
  void propertyForcesTheDefault() {
    Runtimes runtimes = Runtimes.of(new FakeRuntime("fast", 10), new FakeRuntime("slow", 0));
    assertEquals("fast", runtimes.preferred().name());
    System.setProperty(Runtimes.DEFAULT_RUNTIME_PROPERTY, " slow ");
    assertEquals("slow", runtimes.preferred().name());
    System.setProperty(Runtimes.DEFAULT_RUNTIME_PROPERTY, "missing");
    ProviderLookupException e = assertThrows(ProviderLookupException.class, runtimes::preferred);
    assertEquals(
        "system property io.proxywasm.runtime names runtime 'missing', which is not available;"
            + " available: fast, slow",
        e.getMessage());
  }

  @Test
  void candidatesForAModuleAreTheWasmRuntimesByPriority() {
    Runtimes runtimes =
        Runtimes.of(
            new FakeRuntime("slow", 0),
            new FakeRuntime("fast", 20),
            new FakeRuntime("b", 10),
            new FakeRuntime("a", 10),
            new JavaOnly("java-only", 30));
    byte[] module = {0, 'a', 's', 'm', 1, 0, 0, 0};
    assertEquals(
        List.of("fast", "a", "b", "slow"),
        runtimes.candidatesFor(module).stream().map(WasmVmProvider::name).toList(),
        "the default first, ties by name, no runtime that runs only Java plugins");
    assertEquals(
        List.of("java-only"),
        runtimes
            .candidatesFor("java:plugin".getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .stream()
            .map(WasmVmProvider::name)
            .toList(),
        "a Java plugin has one candidate");
    System.setProperty(Runtimes.DEFAULT_RUNTIME_PROPERTY, "b");
    assertEquals(
        List.of("b"),
        runtimes.candidatesFor(module).stream().map(WasmVmProvider::name).toList(),
        "a runtime the property names is the only one");
  }

  /** A runtime that runs only Java plugins, as the Null VM. */
  private record JavaOnly(String name, int priority) implements WasmVmProvider {
    @Override
    public java.util.Set<VmCapability> capabilities() {
      return java.util.Set.of(VmCapability.JAVA_PLUGINS);
    }

    @Override
    public WasmVm create(WasmVmIntegration integration) {
      throw new UnsupportedOperationException("JavaOnly creates no VMs");
    }
  }

  @Test
  void duplicateByHandIsAnError() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Runtimes.of(new FakeRuntime("x", 0), new FakeRuntime("x", 1)));
    assertTrue(e.getMessage().contains("duplicate runtime name 'x'"), e.getMessage());
    Runtimes one = Runtimes.of(new FakeRuntime("x", 0));
    IllegalArgumentException taken =
        assertThrows(IllegalArgumentException.class, () -> one.with(new FakeRuntime("x", 3)));
    assertTrue(taken.getMessage().contains("a runtime named 'x' exists already"));
  }

  @Test
  void invalidNamesAreRejected() {
    for (String bad : new String[] {"", "Upper", "has space", "-lead"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Runtimes.of(new FakeRuntime(bad, 0)));
      assertTrue(e.getMessage().contains("invalid runtime name"), e.getMessage());
    }
  }

  @Test
  void emptySetExplainsItself() {
    Runtimes none = Runtimes.of();
    ProviderLookupException e = assertThrows(ProviderLookupException.class, none::preferred);
    assertTrue(
        e.getMessage()
            .startsWith(
                "no runtime found; available: none; add io.proxywasm:proxy-wasm-runtime-chicory"));
    ProviderLookupException g =
        assertThrows(ProviderLookupException.class, () -> none.get("chicory"));
    assertTrue(g.getMessage().startsWith("no runtime named 'chicory'; available: none"));
  }

  @Test
  void extensionsFollowTheSameRules() {
    WasmExtensionProvider p =
        new WasmExtensionProvider() {
          @Override
          public String name() {
            return "mine";
          }

          @Override
          public WasmExtension create() {
            throw new UnsupportedOperationException();
          }
        };
    Extensions extensions = Extensions.of(p);
    assertEquals(p, extensions.preferred());
    System.setProperty(Extensions.DEFAULT_EXTENSION_PROPERTY, "other");
    try {
      assertThrows(ProviderLookupException.class, extensions::preferred);
    } finally {
      System.clearProperty(Extensions.DEFAULT_EXTENSION_PROPERTY);
    }
  }
}

package io.proxywasm.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery through ServiceLoader from a separately compiled jar, on class and module paths. */
class RuntimesDiscoveryTest {

  @TempDir Path dir;

  private static String named(String name) {
    return "  @Override public String name() { return \"" + name + "\"; }";
  }

  @Test
  void classPathJarWithGoodBrokenAndDuplicateProviders() throws Exception {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put(
        "t/Good.java",
        ProviderJars.provider(
            "Good", named("test-good") + "\n  @Override public int priority() { return 5; }"));
    sources.put(
        "t/Throwing.java",
        ProviderJars.provider(
            "Throwing",
            "  public Throwing() { throw new IllegalStateException(\"boom in constructor\"); }\n"
                + named("test-throwing")));
    sources.put("t/DupA.java", ProviderJars.provider("DupA", named("test-dup")));
    sources.put("t/DupB.java", ProviderJars.provider("DupB", named("test-dup")));
    sources.put("t/BadName.java", ProviderJars.provider("BadName", named("Bad Name")));
    Path jar =
        ProviderJars.build(
            dir,
            sources,
            Map.of(
                "META-INF/services/io.proxywasm.spi.WasmVmProvider",
                "t.Good\nt.Throwing\nt.DupA\nt.Missing\nt.DupB\nt.BadName\n"));

    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      Runtimes runtimes = Runtimes.discover(loader);

      assertEquals(Set.of("test-good"), runtimes.all().keySet());
      assertEquals("t.Good", runtimes.get("test-good").getClass().getName());
      assertEquals("t.Good", runtimes.preferred().getClass().getName());

      String problems =
          runtimes.problems().stream()
              .map(ProviderProblem::description)
              .collect(Collectors.joining("\n"));
      assertEquals(4, runtimes.problems().size(), problems);
      assertTrue(problems.contains("t.Throwing"), problems);
      assertTrue(problems.contains("t.Missing"), problems);
      assertTrue(problems.contains("duplicate runtime name 'test-dup': t.DupA"), problems);
      assertTrue(problems.contains("t.DupB"), problems);
      assertTrue(problems.contains("t.BadName has an invalid runtime name 'Bad Name'"), problems);

      ProviderLookupException dup =
          assertThrows(ProviderLookupException.class, () -> runtimes.get("test-dup"));
      assertTrue(dup.getMessage().contains("no runtime named 'test-dup'"), dup.getMessage());
      assertTrue(dup.getMessage().contains("t.DupA"), dup.getMessage());
      assertTrue(dup.getMessage().contains("t.DupB"), dup.getMessage());
      assertTrue(dup.getMessage().contains("available: test-good"), dup.getMessage());

      Runtimes withHand = runtimes.with(new FakeRuntime("by-hand", 100));
      assertEquals(Set.of("by-hand", "test-good"), withHand.all().keySet());
      assertEquals("by-hand", withHand.preferred().name());
    }
  }

  @Test
  void moduleLayerProvider() throws Exception {
    assumeTrue(
        WasmVmProvider.class.getModule().isNamed(),
        "only meaningful when io.proxywasm.spi is a named module (module-path run)");
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put(
        "module-info.java",
        "module test.providers {\n  requires io.proxywasm.spi;\n"
            + "  provides io.proxywasm.spi.WasmVmProvider with t.Good;\n}\n");
    sources.put("t/Good.java", ProviderJars.provider("Good", named("test-module")));
    Path jar = ProviderJars.build(dir, sources, Map.of());

    ModuleLayer parent = WasmVmProvider.class.getModule().getLayer();
    Configuration cf =
        parent
            .configuration()
            .resolveAndBind(ModuleFinder.of(jar), ModuleFinder.of(), Set.of("test.providers"));
    ModuleLayer layer = parent.defineModulesWithOneLoader(cf, getClass().getClassLoader());

    Runtimes runtimes = Runtimes.discover(layer);
    WasmVmProvider found = runtimes.get("test-module");
    assertEquals("test.providers", found.getClass().getModule().getName());
  }
}

package io.proxywasm.nullvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.support.ProviderRegistry;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.ServiceConfigurationError;
import org.junit.jupiter.api.Test;

/** Java plugins are found by the one discovery rule: a broken registration hides no other. */
class PluginResolverTest {

  private static JavaPlugin named(String name) {
    return new JavaPlugin() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public RootContext newRootContext() {
        throw new UnsupportedOperationException("not started in this test");
      }
    };
  }

  /** What a ServiceLoader yields when the first registration names a class that cannot load. */
  private static Iterable<JavaPlugin> brokenThen(List<JavaPlugin> good) {
    return () ->
        new Iterator<>() {
          private int next = -1;

          @Override
          public boolean hasNext() {
            return next < good.size();
          }

          @Override
          public JavaPlugin next() {
            if (next == -1) {
              next++;
              throw new ServiceConfigurationError(
                  "io.proxywasm.sdk.JavaPlugin: Provider no.such.Plugin not found");
            }
            if (next >= good.size()) {
              throw new NoSuchElementException();
            }
            return good.get(next++);
          }
        };
  }

  @Test
  void aBrokenRegistrationNextToAGoodOneHidesNothing() {
    JavaPlugin good = named("good");
    ProviderRegistry<JavaPlugin> registry =
        ProviderRegistry.discover(PluginDiscovery.JAVA_PLUGINS, brokenThen(List.of(good)));
    assertSame(good, PluginResolver.resolve("good", registry));
    assertSame(good, PluginResolver.resolve(good.getClass().getName(), registry), "by class");
    WasmException missing =
        assertThrows(WasmException.class, () -> PluginResolver.resolve("other", registry));
    assertTrue(
        missing.getMessage().startsWith("no Java plugin named 'other'; available: good"),
        missing.getMessage());
    assertTrue(missing.getMessage().contains("no.such.Plugin not found"), missing.getMessage());
  }

  @Test
  void aNameRegisteredTwiceIsLeftOutAndNamed() {
    JavaPlugin a = named("twice");
    JavaPlugin b = named("twice");
    JavaPlugin other = named("other");
    ProviderRegistry<JavaPlugin> registry =
        ProviderRegistry.discover(PluginDiscovery.JAVA_PLUGINS, List.of(a, b, other));
    assertSame(other, PluginResolver.resolve("other", registry));
    WasmException e =
        assertThrows(WasmException.class, () -> PluginResolver.resolve("twice", registry));
    assertTrue(e.getMessage().contains("duplicate Java plugin name 'twice'"), e.getMessage());
    assertEquals(1, registry.problems().size());
  }

  @Test
  void registeredPluginsAreDiscoveredOncePerClassLoader() {
    assertSame(PluginResolver.registered(), PluginResolver.registered());
  }
}

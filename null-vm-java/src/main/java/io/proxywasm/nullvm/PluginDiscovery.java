package io.proxywasm.nullvm;

import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.spi.support.ProviderRegistry;

/**
 * How the Null VM discovers the Java plugins {@code java:NAME} names: the one rule of {@link
 * ProviderRegistry}. A registration that is broken, or a name registered twice, is left out and
 * listed in {@link ProviderRegistry#problems()}; it never hides the others. For an embedder that
 * lists plugins from a class loader of its own, as the {@code proxy-wasm} command does for its
 * {@code --class-path}.
 */
public final class PluginDiscovery {
  /** Java plugins as a kind of provider: named by {@link JavaPlugin#name()}, any name not blank. */
  public static final ProviderRegistry.Kind<JavaPlugin> JAVA_PLUGINS =
      new ProviderRegistry.Kind<>(
          "Java plugin",
          JavaPlugin.class,
          null,
          JavaPlugin::name,
          p -> 0,
          "a jar registering " + JavaPlugin.class.getName(),
          ProviderRegistry.ANY_NAME);

  private PluginDiscovery() {}

  /**
   * Discovers Java plugins by the Null VM's rule.
   *
   * @param found the plugins, usually a {@link java.util.ServiceLoader} the caller created (its
   *     module {@code uses io.proxywasm.sdk.JavaPlugin}); an element failing with {@link
   *     java.util.ServiceConfigurationError} is left out and listed
   * @return the plugins by name, and what was left out
   */
  public static ProviderRegistry<JavaPlugin> discover(Iterable<JavaPlugin> found) {
    return ProviderRegistry.discover(JAVA_PLUGINS, found);
  }
}

package io.proxywasm.spi;

import io.proxywasm.spi.support.ProviderRegistry;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The extensions a host can use, found with {@link ServiceLoader} or given by hand.
 *
 * <p>Rules: every extension has a unique {@link WasmExtensionProvider#name() name}; two providers
 * with the same name are both left out and asking for that name reports both classes; a provider
 * that fails to load or construct is left out and reported in {@link #problems()} without breaking
 * the others. The {@link #preferred() default} extension is the one named by the system property
 * {@value #DEFAULT_EXTENSION_PROPERTY}, or else the one with the highest {@link
 * WasmExtensionProvider#priority()}.
 */
public final class Extensions extends ProviderSet<WasmExtensionProvider> {
  /** The system property that names the default extension. */
  public static final String DEFAULT_EXTENSION_PROPERTY = "io.proxywasm.extension";

  private static final ProviderRegistry.Kind<WasmExtensionProvider> KIND =
      new ProviderRegistry.Kind<>(
          "extension",
          WasmExtensionProvider.class,
          DEFAULT_EXTENSION_PROPERTY,
          WasmExtensionProvider::name,
          WasmExtensionProvider::priority,
          "io.proxywasm:proxy-wasm-extension-envoywasm");

  private Extensions(ProviderRegistry<WasmExtensionProvider> registry) {
    super(registry);
  }

  /**
   * Discovers extensions with the thread context class loader; on the module path this includes the
   * boot layer.
   *
   * @return the extensions found
   */
  public static Extensions discover() {
    return new Extensions(
        ProviderRegistry.discover(KIND, ServiceLoader.load(WasmExtensionProvider.class)));
  }

  /**
   * Discovers extensions visible to a class loader.
   *
   * @param loader the class loader to search
   * @return the extensions found
   */
  public static Extensions discover(ClassLoader loader) {
    return new Extensions(
        ProviderRegistry.discover(KIND, ServiceLoader.load(WasmExtensionProvider.class, loader)));
  }

  /**
   * Discovers extensions in a module layer and its parents.
   *
   * @param layer the layer to search
   * @return the extensions found
   */
  public static Extensions discover(ModuleLayer layer) {
    return new Extensions(
        ProviderRegistry.discover(KIND, ServiceLoader.load(layer, WasmExtensionProvider.class)));
  }

  /**
   * Uses exactly the given extensions.
   *
   * @param providers the extensions
   * @return the set of extensions
   * @throws IllegalArgumentException if two share a name or a name is invalid
   */
  public static Extensions of(WasmExtensionProvider... providers) {
    return new Extensions(ProviderRegistry.of(KIND, List.of(providers)));
  }

  /**
   * Returns these extensions plus the given ones.
   *
   * @param providers extensions to add by hand
   * @return a new set of extensions
   * @throws IllegalArgumentException if a name is taken or invalid
   */
  public Extensions with(WasmExtensionProvider... providers) {
    return new Extensions(registry.with(List.of(providers)));
  }
}

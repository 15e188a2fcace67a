package io.proxywasm.spi;

import io.proxywasm.spi.support.ProviderRegistry;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The runtimes a host can use, found with {@link ServiceLoader} or given by hand.
 *
 * <p>Rules: every runtime has a unique {@link WasmVmProvider#name() name}; two providers with the
 * same name are both left out and asking for that name reports both classes; a provider that fails
 * to load or construct is left out and reported in {@link #problems()} without breaking the others.
 * The {@link #preferred() default} runtime is the one named by the system property {@value
 * #DEFAULT_RUNTIME_PROPERTY}, or else the one with the highest {@link WasmVmProvider#priority()}.
 */
public final class Runtimes extends ProviderSet<WasmVmProvider> {
  /** The system property that names the default runtime. */
  public static final String DEFAULT_RUNTIME_PROPERTY = "io.proxywasm.runtime";

  private static final ProviderRegistry.Kind<WasmVmProvider> KIND =
      new ProviderRegistry.Kind<>(
          "runtime",
          WasmVmProvider.class,
          DEFAULT_RUNTIME_PROPERTY,
          WasmVmProvider::name,
          WasmVmProvider::priority,
          "io.proxywasm:proxy-wasm-runtime-chicory");

  private Runtimes(ProviderRegistry<WasmVmProvider> registry) {
    super(registry);
  }

  /**
   * Discovers runtimes with the thread context class loader; on the module path this includes the
   * boot layer.
   *
   * @return the runtimes found
   */
  public static Runtimes discover() {
    return new Runtimes(ProviderRegistry.discover(KIND, ServiceLoader.load(WasmVmProvider.class)));
  }

  /**
   * Discovers runtimes visible to a class loader.
   *
   * @param loader the class loader to search
   * @return the runtimes found
   */
  public static Runtimes discover(ClassLoader loader) {
    return new Runtimes(
        ProviderRegistry.discover(KIND, ServiceLoader.load(WasmVmProvider.class, loader)));
  }

  /**
   * Discovers runtimes in a module layer and its parents.
   *
   * @param layer the layer to search
   * @return the runtimes found
   */
  public static Runtimes discover(ModuleLayer layer) {
    return new Runtimes(
        ProviderRegistry.discover(KIND, ServiceLoader.load(layer, WasmVmProvider.class)));
  }

  /**
   * Uses exactly the given runtimes.
   *
   * @param providers the runtimes
   * @return the set of runtimes
   * @throws IllegalArgumentException if two share a name or a name is invalid
   */
  public static Runtimes of(WasmVmProvider... providers) {
    return new Runtimes(ProviderRegistry.of(KIND, List.of(providers)));
  }

  /**
   * Returns these runtimes plus the given ones.
   *
   * @param providers runtimes to add by hand
   * @return a new set of runtimes
   * @throws IllegalArgumentException if a name is taken or invalid
   */
  public Runtimes with(WasmVmProvider... providers) {
    return new Runtimes(registry.with(List.of(providers)));
  }

  /** The prefix of code that names a plugin written in Java rather than holding a wasm module. */
  public static final String JAVA_PLUGIN_PREFIX = "java:";

  /**
   * Returns the default runtime for a piece of code, the first of {@link #candidatesFor(byte[])}:
   * for a Java plugin ({@code java:NAME}) the highest-priority runtime that runs Java plugins; for
   * a wasm module the one the system property {@value #DEFAULT_RUNTIME_PROPERTY} names, else the
   * highest-priority runtime that runs wasm bytecode.
   *
   * @param code the plugin's code
   * @return the runtime
   * @throws ProviderLookupException if no runtime can run the code
   */
  public WasmVmProvider preferredFor(byte[] code) {
    return candidatesFor(code).get(0);
  }

  /**
   * Returns the runtimes to try, best first, for code whose runtime nobody named. For a Java
   * plugin, the highest-priority runtime that runs Java plugins; for a wasm module, the runtime the
   * system property {@value #DEFAULT_RUNTIME_PROPERTY} names if it names one, else every runtime
   * that runs wasm bytecode by descending priority (ties by name). A host loads the code with the
   * first and moves to the next only when a runtime refuses the module with {@link
   * UnsupportedModuleException}.
   *
   * @param code the plugin's code
   * @return one runtime or more
   * @throws ProviderLookupException if no runtime can run the code
   */
  public List<WasmVmProvider> candidatesFor(byte[] code) {
    if (isJavaPlugin(code)) {
      WasmVmProvider best =
          registry.byPriority().stream()
              .filter(p -> p.capabilities().contains(VmCapability.JAVA_PLUGINS))
              .findFirst()
              .orElseThrow(
                  () ->
                      new ProviderLookupException(
                          "the code names a Java plugin, but no runtime that runs Java plugins is"
                              + " available (add io.proxywasm:proxy-wasm-null-vm-java); runtimes: "
                              + all().keySet()));
      return List.of(best);
    }
    String forced = System.getProperty(DEFAULT_RUNTIME_PROPERTY);
    if (forced != null && !forced.isBlank()) {
      return List.of(preferred());
    }
    List<WasmVmProvider> wasm =
        registry.byPriority().stream()
            .filter(p -> p.capabilities().contains(VmCapability.WASM_BYTECODE))
            .toList();
    // none: preferred() says that none is found, or names what there is
    return wasm.isEmpty() ? List.of(preferred()) : wasm;
  }

  /**
   * Tells whether code names a Java plugin: it is the text {@code java:NAME}.
   *
   * @param code the code
   * @return true for a Java plugin
   */
  public static boolean isJavaPlugin(byte[] code) {
    byte[] prefix = JAVA_PLUGIN_PREFIX.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    if (code.length <= prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (code[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}

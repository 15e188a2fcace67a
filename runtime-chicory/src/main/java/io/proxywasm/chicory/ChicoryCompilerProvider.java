package io.proxywasm.chicory;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.google.auto.service.AutoService;
import io.proxywasm.spi.VmCapability;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.WasmVmProvider;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Runtime {@code chicory-compiler}: Chicory's compiler translates each module to JVM bytecode. The
 * default runtime when runtime {@code asm} is absent, or for a module asm does not support; the
 * default in any case when it has an on-disk cache or precompiled modules ({@link #priority()}).
 *
 * <p>A module is translated once per process and module hash: every clone, and every other base VM
 * of the same module (another vm_id or VM configuration), reuses the classes while any VM holds
 * them. To start without compiling at all:
 *
 * <ul>
 *   <li>an <b>on-disk cache</b> keeps compiled modules across restarts, keyed by module digest, in
 *       a directory per Chicory version: {@link Builder#cacheDirectory}, or the system property
 *       {@value #CACHE_DIRECTORY_PROPERTY} for the instance ServiceLoader creates. The directory
 *       holds classes the JVM will run: it must be writable only by the gateway's user;
 *   <li><b>modules compiled at build time</b> by Chicory's Maven plugin ({@code
 *       com.dylibso.chicory:chicory-compiler-maven-plugin}, goal {@code compile}), whose generated
 *       class has a static {@code create(Instance)}: register it with {@link Builder#precompiled}
 *       for the module's bytes.
 * </ul>
 *
 * <p>A function whose translation is over HotSpot's 8000-byte JIT limit would run in the JVM's
 * bytecode interpreter unless the JVM runs with {@code -XX:-DontCompileHugeMethods}; without the
 * flag, the provider splits such functions into smaller ones before compiling ({@link
 * Builder#splitHugeFunctions}). A function too large for one JVM method at all runs in Chicory's
 * interpreter; Chicory logs a warning naming it when the module is compiled.
 */
@AutoService(WasmVmProvider.class)
@SuppressWarnings("exports") // the registration annotation is compile-time only
public final class ChicoryCompilerProvider implements WasmVmProvider {
  /** The runtime name. */
  public static final String NAME = "chicory-compiler";

  /**
   * The system property naming the on-disk cache directory of the provider ServiceLoader creates.
   */
  public static final String CACHE_DIRECTORY_PROPERTY = "io.proxywasm.chicory.cacheDir";

  private final CodeSource source;

  /** Whether it has an on-disk cache or precompiled modules: see {@link #priority()}. */
  private final boolean startsWithoutCompiling;

  /**
   * Creates the provider ServiceLoader finds: no precompiled modules, and the on-disk cache in the
   * directory {@value #CACHE_DIRECTORY_PROPERTY} names, if set.
   */
  public ChicoryCompilerProvider() {
    this(
        !"false".equalsIgnoreCase(System.getProperty(SPLIT_HUGE_FUNCTIONS_PROPERTY, "true")),
        Optional.ofNullable(System.getProperty(CACHE_DIRECTORY_PROPERTY))
            .filter(s -> !s.isBlank())
            .map(Path::of),
        Map.of());
  }

  private ChicoryCompilerProvider(
      boolean splitHugeFunctions,
      Optional<Path> cacheDirectory,
      Map<String, Function<Instance, Machine>> precompiled) {
    this.source = CodeSource.compiler(splitHugeFunctions, cacheDirectory, precompiled);
    this.startsWithoutCompiling = cacheDirectory.isPresent() || !precompiled.isEmpty();
  }

  /**
   * The system property that, set to {@code false}, keeps the provider ServiceLoader creates from
   * splitting huge functions.
   */
  public static final String SPLIT_HUGE_FUNCTIONS_PROPERTY =
      "io.proxywasm.chicory.splitHugeFunctions";

  /**
   * Tells whether functions too big for HotSpot's JIT are split when the JVM would not compile
   * them.
   *
   * @return true unless turned off
   */
  public boolean splitsHugeFunctions() {
    return source.splitsHugeFunctions();
  }

  /**
   * Starts a provider with an on-disk cache or modules compiled at build time. Use it in place of
   * the discovered one: {@code Runtimes.of(ChicoryCompilerProvider.builder()...build(), new
   * ChicoryInterpreterProvider())}.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the on-disk cache's directory for this Chicory version, if the cache is on.
   *
   * @return the directory
   */
  public Optional<Path> cacheDirectory() {
    return source.cacheDirectory();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<VmCapability> capabilities() {
    return Set.of(
        VmCapability.WASM_BYTECODE,
        VmCapability.COMPILED,
        VmCapability.TERMINATE,
        VmCapability.MEMORY_LIMIT);
  }

  /**
   * 10, below runtime {@code asm}'s 20 (docs/performance.md, "The default runtime"); 30 when this
   * provider has an on-disk cache or precompiled modules, which an embedder sets up to start
   * without compiling, so that it stays the default then.
   */
  @Override
  public int priority() {
    return startsWithoutCompiling ? 30 : 10;
  }

  @Override
  public WasmVm create(WasmVmIntegration integration) {
    return new ChicoryVm(NAME, source, integration);
  }

  @Override
  public String toString() {
    return "ChicoryCompilerProvider"
        + source.cacheDirectory().map(d -> "[cache " + d + "]").orElse("");
  }

  /** Configures a {@link ChicoryCompilerProvider}. */
  public static final class Builder {
    private boolean splitHugeFunctions = true;
    private Optional<Path> cacheDirectory = Optional.empty();
    private final Map<String, Function<Instance, Machine>> precompiled = new HashMap<>();

    private Builder() {}

    /**
     * Keeps compiled modules in a directory (created when needed), so that a restart loads them
     * instead of compiling. A subdirectory per Chicory version keeps versions apart.
     *
     * @param directory the directory, writable only by the gateway's user
     * @return this builder
     */
    public Builder cacheDirectory(Path directory) {
      this.cacheDirectory = Optional.of(Objects.requireNonNull(directory, "directory"));
      return this;
    }

    /**
     * Uses a machine factory compiled at build time for one module: when a plugin's code is exactly
     * {@code wasm}, its VMs run the given factory and nothing is compiled. With Chicory's Maven
     * plugin the factory is the generated class's {@code create} method ({@code MyModule::create});
     * {@code wasm} must be the module the plugin compiled.
     *
     * @param wasm the module's bytes, as the plugin's configuration gives them
     * @param machineFactory the compiled module
     * @return this builder
     */
    public Builder precompiled(byte[] wasm, Function<Instance, Machine> machineFactory) {
      Objects.requireNonNull(wasm, "wasm");
      Objects.requireNonNull(machineFactory, "machineFactory");
      precompiled.put(CodeSource.sha256(wasm), machineFactory);
      return this;
    }

    /**
     * Creates the provider.
     *
     * @return the provider
     */
    public ChicoryCompilerProvider build() {
      return new ChicoryCompilerProvider(splitHugeFunctions, cacheDirectory, precompiled);
    }

    /**
     * Whether to split wasm functions that translate to JVM methods over HotSpot's 8000-byte JIT
     * limit, when the JVM runs without {@code -XX:-DontCompileHugeMethods}; on by default. Runs of
     * statements move into new functions, so that every method is small enough to be compiled; with
     * the flag set nothing is split.
     *
     * @param split false to run such functions as they are
     * @return this builder
     */
    public Builder splitHugeFunctions(boolean split) {
      this.splitHugeFunctions = split;
      return this;
    }
  }
}

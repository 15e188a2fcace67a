package io.proxywasm.chicory;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.internal.ClassLoadingCollector;
import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.compiler.internal.CompilerResult;
import com.dylibso.chicory.compiler.internal.MachineFactory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import io.proxywasm.chicory.split.FunctionSplitter;
import io.proxywasm.spi.support.SharedByHash;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Where a runtime's modules come from. The machine factory is none (the interpreter), a class
 * compiled at build time, the on-disk cache, or the compiler. Parsed and compiled modules are
 * shared by hash across every VM of the process: a second base VM for the same module (another
 * vm_id or configuration) reuses what the first one parsed and compiled, as long as any VM holds
 * it.
 */
final class CodeSource {
  /** Loaded modules by mode and hash; an entry lives while some VM holds its module. */
  private static final SharedByHash<ChicoryVm.Code> SHARED = new SharedByHash<>();

  /** How many modules were translated to bytecode in this process; tests and benchmarks read it. */
  static final AtomicLong COMPILATIONS = new AtomicLong();

  /** How many modules had huge functions split. */
  static final AtomicLong SPLITS = new AtomicLong();

  /** How many modules were loaded from the on-disk cache instead of compiled. */
  static final AtomicLong DISK_LOADS = new AtomicLong();

  /** The interpreter's source: no machine factory. */
  static final CodeSource INTERPRETER = new CodeSource(false, false, Optional.empty(), Map.of());

  private final boolean compile;
  private final boolean splitHugeFunctions;
  private final Optional<DiskCache> disk;
  private final Map<String, Function<Instance, Machine>> precompiled;

  CodeSource(
      boolean compile,
      boolean splitHugeFunctions,
      Optional<DiskCache> disk,
      Map<String, Function<Instance, Machine>> precompiled) {
    this.compile = compile;
    this.splitHugeFunctions = splitHugeFunctions;
    this.disk = Objects.requireNonNull(disk);
    this.precompiled = Map.copyOf(precompiled);
  }

  /** The compiler's source with the given on-disk cache directory, if any. */
  static CodeSource compiler(
      boolean splitHugeFunctions,
      Optional<Path> cacheDirectory,
      Map<String, Function<Instance, Machine>> precompiled) {
    return new CodeSource(
        true, splitHugeFunctions, cacheDirectory.map(DiskCache::new), precompiled);
  }

  /** The interpreter's source, or the compiler's with no disk cache nor precompiled modules. */
  static CodeSource of(boolean compile) {
    return compile ? compiler(true, Optional.empty(), Map.of()) : INTERPRETER;
  }

  boolean splitsHugeFunctions() {
    return splitHugeFunctions;
  }

  Optional<Path> cacheDirectory() {
    return disk.map(DiskCache::directory);
  }

  /**
   * Returns the parsed, inspected and (for the compiler) translated module for some bytes: the one
   * another VM already made from the same bytes while any VM still holds it, or a new one. Chicory
   * ties compiled classes to the parsed module they came from, so both are shared together.
   *
   * @param bytes the module's bytes
   * @param make parses, inspects and translates the module, given its hash; called at most once at
   *     a time per hash
   */
  ChicoryVm.Code load(byte[] bytes, Function<String, ChicoryVm.Code> make) {
    String hash = sha256(bytes);
    if (precompiled.containsKey(hash)) {
      return make.apply(hash);
    }
    String key =
        (compile ? (splitHugeFunctions ? "compiled-split:" : "compiled:") : "interpreted:") + hash;
    return SHARED.get(key, () -> make.apply(hash));
  }

  /** Forgets every shared module, as a restart would; for tests. */
  static void forgetShared() {
    SHARED.clear();
  }

  /** A module's machine factory (null: interpret it) and what HotSpot will not JIT-compile. */
  record Translation(
      Function<Instance, Machine> machineFactory,
      List<HugeMethods.Huge> hugeMethods,
      WasmModule module) {
    static final Translation INTERPRETED = new Translation(null, List.of(), null);
  }

  /**
   * Returns the machine factory for a parsed module.
   *
   * @param hash the module's SHA-256
   * @param bytes the module's bytes
   * @param module the parsed module
   */
  Translation translation(String hash, byte[] bytes, WasmModule module) {
    if (!compile) {
      return Translation.INTERPRETED;
    }
    Function<Instance, Machine> built = precompiled.get(hash);
    if (built != null) {
      return new Translation(built, List.of(), module);
    }
    if (disk.isPresent()) {
      Optional<Map<String, byte[]>> stored = disk.get().load(hash);
      if (stored.isPresent()) {
        try {
          Translation t = translation(module, stored.get());
          DISK_LOADS.incrementAndGet();
          HugeMethods.warn(hash, t.hugeMethods());
          return t;
        } catch (RuntimeException | LinkageError e) {
          // Classes another build wrote, or damage the checksum did not catch: compile afresh.
          disk.get().remove(hash, e);
        }
      }
    }
    boolean splitting = splitHugeFunctions && HugeMethods.jvmSkipsHugeMethods();
    ClassLoadingCollector classes = null;
    List<HugeMethods.Huge> huge = List.of();
    WasmModule instantiated = module;
    byte[] splitBytes = null;
    // Functions big enough in wasm to be huge in bytecode are split before the first compile, so
    // that a module with huge functions is compiled once, not once whole and once split.
    Set<Integer> likely = splitting ? FunctionSplitter.likelyHuge(module) : Set.of();
    if (!likely.isEmpty()) {
      Optional<Split> split = splitHuge(hash, bytes, module, likely);
      if (split.isPresent()) {
        classes = split.get().classes();
        huge = split.get().hugeMethods();
        instantiated = split.get().module();
        splitBytes = split.get().bytes();
      }
    }
    if (classes == null) {
      classes = compileClasses(module);
      huge = HugeMethods.find(classes.classBytes());
    }
    if (!huge.isEmpty() && splitting) {
      // huge all the same: what the wasm size did not foretell
      Set<Integer> functions = new TreeSet<>();
      huge.forEach(h -> functions.add(h.function()));
      byte[] from = splitBytes != null ? splitBytes : bytes;
      Optional<Split> split = splitHuge(hash, from, instantiated, functions);
      if (split.isPresent()) {
        classes = split.get().classes();
        huge = split.get().hugeMethods();
        instantiated = split.get().module();
        splitBytes = split.get().bytes();
      }
    }
    Map<String, byte[]> all = new LinkedHashMap<>();
    all.put(MAIN, classes.mainClassName().getBytes(StandardCharsets.UTF_8));
    if (splitBytes != null) {
      all.put(SPLIT_MODULE, splitBytes);
    }
    all.putAll(classes.classBytes());
    disk.ifPresent(d -> d.store(hash, all));
    HugeMethods.warn(hash, huge);
    return new Translation(
        new MachineFactory(instantiated, classes.machineFactory()), huge, instantiated);
  }

  private static ClassLoadingCollector compileClasses(WasmModule module) {
    CompilerResult result =
        Compiler.builder(module)
            // A function too large for one JVM method runs in the interpreter, with a warning.
            .withInterpreterFallback(InterpreterFallback.WARN)
            .withClassCollectorFactory(ClassLoadingCollector::new)
            .build()
            .compile();
    COMPILATIONS.incrementAndGet();
    return (ClassLoadingCollector) result.collector();
  }

  /** A module whose huge functions were split, compiled. */
  private record Split(
      WasmModule module,
      byte[] bytes,
      ClassLoadingCollector classes,
      List<HugeMethods.Huge> hugeMethods) {}

  /**
   * Splits the functions of a module that translate to methods HotSpot will not compile, and
   * compiles the result; empty (and the original is used) if nothing could be split or the result
   * is not a valid module.
   */
  private static Optional<Split> splitHuge(
      String hash, byte[] bytes, WasmModule module, Set<Integer> functions) {
    try {
      // Chicory's validator checks every moved run again; a function whose split it rejects
      // stays whole
      Optional<FunctionSplitter.Checked> checked =
          FunctionSplitter.splitChecked(bytes, module, functions);
      if (checked.isEmpty()) {
        return Optional.empty();
      }
      FunctionSplitter.Result result = checked.get().result();
      byte[] splitBytes = result.module();
      WasmModule split = checked.get().module();
      ClassLoadingCollector classes = compileClasses(split);
      List<HugeMethods.Huge> after = HugeMethods.find(classes.classBytes());
      SPLITS.incrementAndGet();
      HugeMethods.splitDone(hash, functions.size(), result, after.size());
      return Optional.of(new Split(split, splitBytes, classes, after));
    } catch (RuntimeException | LinkageError e) {
      HugeMethods.splitFailed(hash, e);
      return Optional.empty();
    }
  }

  /** The entry naming the main class among a module's stored classes. */
  static final String MAIN = "";

  /** The entry holding the module with its huge functions split, when they were. */
  static final String SPLIT_MODULE = "/split.wasm";

  private static Translation translation(WasmModule module, Map<String, byte[]> stored) {
    byte[] main = stored.get(MAIN);
    if (main == null) {
      throw new IllegalArgumentException("no main class");
    }
    String mainName = new String(main, StandardCharsets.UTF_8);
    Map<String, byte[]> classBytes = new LinkedHashMap<>(stored);
    classBytes.remove(MAIN);
    byte[] splitBytes = classBytes.remove(SPLIT_MODULE);
    WasmModule instantiated = splitBytes == null ? module : Parser.parse(splitBytes);
    byte[] mainBytes = classBytes.get(mainName);
    if (mainBytes == null) {
      throw new IllegalArgumentException("main class " + mainName + " missing");
    }
    ClassLoadingCollector classes = new ClassLoadingCollector();
    classes.putMainClass(mainName, mainBytes);
    classBytes.forEach(
        (name, bytes) -> {
          if (!name.equals(mainName)) {
            classes.put(name, bytes);
          }
        });
    Function<Instance, Machine> factory = classes.machineFactory();
    return new Translation(
        new MachineFactory(instantiated, factory), HugeMethods.find(classBytes), instantiated);
  }

  /** Returns the lower-case hex SHA-256 of some bytes. */
  static String sha256(byte[] bytes) {
    return SharedByHash.sha256(bytes);
  }
}

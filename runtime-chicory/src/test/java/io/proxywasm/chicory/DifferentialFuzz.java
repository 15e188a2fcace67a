package io.proxywasm.chicory;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.ValType;
import io.proxywasm.chicory.split.FunctionSplitter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Differential fuzzing of the runtimes: binaryen's {@code wasm-opt -ttf} turns random bytes from a
 * seed into a valid module, and every exported function is called with fixed arguments on Chicory's
 * interpreter, on Chicory's compiler, on the compiler after every function was split ({@link
 * FunctionSplitter} forced on all of them) and on V8 (node, {@code fuzz/v8-runner.js}). Each run
 * prints the same lines: the values the module logs, each call's results or its trap, and the final
 * memory's size and SHA-256. Any difference between the four is a discrepancy.
 *
 * <p>The modules use the MVP plus sign extension, mutable globals, non-trapping float-to-int, bulk
 * memory and multi-value, and binaryen's {@code --denan} turns every NaN into 0, since NaN bits are
 * not deterministic across engines. Before each call the module's {@code hangLimitInitializer}
 * resets its loop budget, as binaryen's own harness does.
 */
final class DifferentialFuzz {
  /** The features the generated modules may use: what Chicory and V8 both run. */
  static final List<String> FEATURES =
      List.of(
          "--mvp-features",
          "--enable-sign-ext",
          "--enable-mutable-globals",
          "--enable-nontrapping-float-to-int",
          "--enable-bulk-memory",
          "--enable-multivalue");

  static final long[] I32_ARGS = {0, 1, -1, 42, Integer.MAX_VALUE, Integer.MIN_VALUE};
  static final long[] I64_ARGS = {0, 1, -1, 42, Long.MAX_VALUE, Long.MIN_VALUE};
  static final float[] F32_ARGS = {0f, 1.5f, -0f, 3.25f, -2.5f, 65536f};
  static final double[] F64_ARGS = {0d, 1.5d, -0d, 3.25d, -2.5d, 1e100};

  /** The Chicory engines compared with V8. */
  enum Engine {
    INTERPRETER,
    COMPILER,
    COMPILER_SPLIT
  }

  /** An exported function to call: its name and types. */
  record Call(String name, List<ValType> params, List<ValType> results) {}

  private DifferentialFuzz() {}

  /** The committed regression modules, from the module's directory. */
  static Path regressions() {
    return Path.of("src", "test", "resources", "fuzz-regressions").toAbsolutePath();
  }

  /**
   * The seeds whose generated module is a known upstream discrepancy: seed, the module's SHA-256
   * (binaryen's output differs between versions) and the regression module it became.
   */
  static Map<Long, String[]> knownSeeds() throws IOException {
    Map<Long, String[]> known = new LinkedHashMap<>();
    for (String line : Files.readAllLines(regressions().resolve("known-seeds.txt"))) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] f = l.split("\\s+");
      known.put(Long.parseLong(f[0]), new String[] {f[1], f[2]});
    }
    return known;
  }

  /** The known upstream issues by regression module name: a line {@code name | reason} each. */
  static Map<String, String> knownIssues() throws IOException {
    Map<String, String> known = new LinkedHashMap<>();
    for (String line : Files.readAllLines(regressions().resolve("known-issues.txt"))) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      int bar = l.indexOf('|');
      known.put(l.substring(0, bar).strip(), l.substring(bar + 1).strip());
    }
    return known;
  }

  /** Where the V8 runner is, from the module's directory (the tests' working directory). */
  static Path v8Runner() {
    return Path.of("src", "test", "resources", "fuzz", "v8-runner.js").toAbsolutePath();
  }

  /** Tells whether a command runs: {@code wasm-opt --version}, {@code node --version}. */
  static Optional<String> missingTool() {
    for (String tool : new String[] {"wasm-opt", "node"}) {
      try {
        Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          return Optional.of(tool);
        }
      } catch (IOException e) {
        return Optional.of(tool);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of(tool);
      }
    }
    return Optional.empty();
  }

  /**
   * Makes the module of a seed: 1 to 24 KiB of random bytes from the seed, turned into wasm.
   *
   * @return the module's bytes, written to {@code dir/<seed>.wasm}
   */
  static byte[] generate(long seed, Path dir) throws IOException, InterruptedException {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] noise = new byte[1024 + random.nextInt(23 * 1024)];
    random.nextBytes(noise);
    Path in = dir.resolve(seed + ".bin");
    Path out = dir.resolve(seed + ".wasm");
    Files.write(in, noise);
    List<String> command = new ArrayList<>(List.of("wasm-opt", in.toString(), "-ttf"));
    command.addAll(FEATURES);
    command.addAll(List.of("--denan", "-o", out.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("wasm-opt failed for seed " + seed + ": " + output);
    }
    Files.delete(in);
    return Files.readAllBytes(out);
  }

  /** The exported functions of a module, in export order. */
  static List<Call> plan(WasmModule module) {
    List<FunctionType> importTypes = new ArrayList<>();
    for (int i = 0; i < module.importSection().importCount(); i++) {
      if (module.importSection().getImport(i) instanceof FunctionImport f) {
        importTypes.add(module.typeSection().getType(f.typeIndex()));
      }
    }
    List<Call> calls = new ArrayList<>();
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      Export e = module.exportSection().getExport(i);
      if (e.exportType() != ExternalType.FUNCTION) {
        continue;
      }
      int index = e.index();
      FunctionType type =
          index < importTypes.size()
              ? importTypes.get(index)
              : module
                  .typeSection()
                  .getType(module.functionSection().getFunctionType(index - importTypes.size()));
      calls.add(new Call(e.name(), type.params(), type.returns()));
    }
    return calls;
  }

  /** The plan as the V8 runner reads it: one line per call, name, params and results by tabs. */
  static String planText(List<Call> calls) {
    StringBuilder b = new StringBuilder();
    for (Call c : calls) {
      b.append(c.name()).append('\t').append(names(c.params())).append('\t');
      b.append(names(c.results())).append('\n');
    }
    return b.toString();
  }

  private static String names(List<ValType> types) {
    List<String> out = new ArrayList<>();
    for (ValType t : types) {
      out.add(name(t));
    }
    return String.join(",", out);
  }

  private static String name(ValType t) {
    if (t.equals(ValType.I32)) {
      return "i32";
    }
    if (t.equals(ValType.I64)) {
      return "i64";
    }
    if (t.equals(ValType.F32)) {
      return "f32";
    }
    if (t.equals(ValType.F64)) {
      return "f64";
    }
    throw new IllegalArgumentException("not a number type: " + t);
  }

  static long arg(ValType t, int k) {
    int i = Math.floorMod(k, 6);
    return switch (name(t)) {
      case "i32" -> I32_ARGS[i];
      case "i64" -> I64_ARGS[i];
      case "f32" -> Float.floatToRawIntBits(F32_ARGS[i]) & 0xffff_ffffL;
      default -> Double.doubleToRawLongBits(F64_ARGS[i]);
    };
  }

  static String show(ValType t, long v) {
    switch (name(t)) {
      case "i32":
        return Integer.toString((int) v);
      case "i64":
        return Long.toString(v);
      case "f32":
        {
          float f = Float.intBitsToFloat((int) v);
          if (Float.isNaN(f)) {
            return "nan";
          }
          return "f32:" + String.format("%08x", (int) v);
        }
      default:
        {
          if (Double.isNaN(Double.longBitsToDouble(v))) {
            return "nan";
          }
          return "f64:" + String.format("%016x", v);
        }
    }
  }

  /** What splitting did to a module: the split bytes, or empty if nothing was split. */
  static Optional<byte[]> splitAll(byte[] bytes, WasmModule module) {
    TreeSet<Integer> all = new TreeSet<>();
    int functions = module.functionSection().functionCount() + importedFunctions(module);
    for (int f = 0; f < functions; f++) {
      all.add(f);
    }
    return FunctionSplitter.split(bytes, module, all).map(FunctionSplitter.Result::module);
  }

  /**
   * How many split modules Chicory's validator refused (the original then runs, as in production).
   */
  static final java.util.concurrent.atomic.AtomicInteger SPLITS_REFUSED =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * The module with every function split, parsed and validated, or empty when nothing was split or
   * the result does not validate: then the original runs, as {@code CodeSource} does in production.
   */
  static Optional<WasmModule> validSplit(byte[] bytes, WasmModule module) {
    Optional<byte[]> split = splitAll(bytes, module);
    if (split.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Parser.parse(split.get()));
    } catch (ChicoryException e) {
      SPLITS_REFUSED.incrementAndGet();
      return Optional.empty();
    }
  }

  private static int importedFunctions(WasmModule module) {
    int n = 0;
    for (int i = 0; i < module.importSection().importCount(); i++) {
      if (module.importSection().getImport(i) instanceof FunctionImport) {
        n++;
      }
    }
    return n;
  }

  /**
   * Runs a module on one Chicory engine.
   *
   * @param bytes the module
   * @param engine which engine
   * @return the lines, as the V8 runner prints them (without the "==" header)
   */
  static String runChicory(byte[] bytes, Engine engine) {
    return runChicory(bytes, engine, false);
  }

  /**
   * Runs a module on one Chicory engine, optionally dropping its active data segments after
   * instantiation as the spec does and Chicory 1.7.5 does not: what the module would give were that
   * upstream issue fixed.
   */
  static String runChicory(byte[] bytes, Engine engine, boolean dropActiveData) {
    WasmModule module = Parser.parse(bytes);
    List<Call> calls = plan(module);
    if (engine == Engine.COMPILER_SPLIT) {
      Optional<WasmModule> split = validSplit(bytes, module);
      if (split.isPresent()) {
        module = split.get();
      }
    }
    List<String> out = new ArrayList<>();
    ImportValues.Builder imports = ImportValues.builder();
    for (ValType t : List.of(ValType.I32, ValType.I64, ValType.F32, ValType.F64)) {
      String n = name(t);
      imports.addFunction(
          new HostFunction(
              "fuzzing-support",
              "log-" + n,
              FunctionType.of(List.of(t), List.of()),
              (instance, args) -> {
                out.add("log " + n + " " + show(t, args[0]));
                return null;
              }));
    }
    Instance.Builder builder = Instance.builder(module).withImportValues(imports.build());
    if (engine != Engine.INTERPRETER) {
      builder.withMachineFactory(MachineFactoryCompiler::compile);
    }
    Instance instance;
    try {
      instance = builder.build();
    } catch (ChicoryException | StackOverflowError e) {
      out.add("instantiate trap");
      return String.join("\n", out) + "\n";
    }
    if (dropActiveData) {
      for (int i = 0; i < module.dataSection().dataSegmentCount(); i++) {
        if (module.dataSection().getDataSegment(i) instanceof ActiveDataSegment) {
          instance.memory().drop(i);
        }
      }
    }
    ExportFunction reset = null;
    for (Call c : calls) {
      if (c.name().equals("hangLimitInitializer")) {
        reset = instance.export(c.name());
      }
    }
    for (int index = 0; index < calls.size(); index++) {
      Call c = calls.get(index);
      if (reset != null) {
        reset.apply();
      }
      long[] args = new long[c.params().size()];
      for (int k = 0; k < args.length; k++) {
        args[k] = arg(c.params().get(k), k + index);
      }
      try {
        long[] results = instance.export(c.name()).apply(args);
        List<String> shown = new ArrayList<>();
        for (int k = 0; k < c.results().size(); k++) {
          shown.add(show(c.results().get(k), results[k]));
        }
        out.add("call " + c.name() + " -> " + String.join(" ", shown));
      } catch (ChicoryException | StackOverflowError e) {
        out.add("call " + c.name() + " trap");
      } catch (RuntimeException e) {
        // the class and where it came from, not the message: the JVM words messages its own way
        StackTraceElement[] at = e.getStackTrace();
        out.add(
            "call "
                + c.name()
                + " error "
                + e.getClass().getName()
                + (at.length > 0
                    ? " at " + at[0].getClassName() + "." + at[0].getMethodName()
                    : ""));
      }
    }
    Memory memory = instance.memory();
    if (memory == null) {
      out.add("memory none");
    } else {
      int pages = memory.pages();
      byte[] all = memory.readBytes(0, pages * 65536);
      out.add("memory " + pages + " " + sha256(all));
    }
    return String.join("\n", out) + "\n";
  }

  /**
   * Runs modules on V8 in one node process.
   *
   * @param modules module files, each with its {@code .plan} next to it
   * @return each module's lines, by file
   */
  static Map<Path, String> runV8(List<Path> modules) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", v8Runner().toString()));
    modules.forEach(m -> command.add(m.toString()));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("node failed (" + p.exitValue() + "): " + output);
    }
    Map<Path, String> byModule = new LinkedHashMap<>();
    Path current = null;
    StringBuilder lines = new StringBuilder();
    for (String line : output.split("\n", -1)) {
      if (line.startsWith("== ")) {
        if (current != null) {
          byModule.put(current, lines.toString());
        }
        current = Path.of(line.substring(3));
        lines.setLength(0);
      } else if (!line.isEmpty()) {
        lines.append(line).append('\n');
      }
    }
    if (current != null) {
      byModule.put(current, lines.toString());
    }
    return byModule;
  }

  /**
   * Names the known upstream issue that explains a discrepancy, or empty. {@code
   * active-data-dropped} when Chicory, patched to drop active data segments, gives V8's lines on
   * every engine; {@code f32-convert-i64-u?} (a probable cause, not a proof) when what is left
   * happens in a module that uses {@code f32.convert_i64_u}. An engine that throws something other
   * than a trap is never explained.
   */
  static Optional<String> explain(byte[] bytes, String v8) {
    for (Engine engine : Engine.values()) {
      if (runChicory(bytes, engine).contains(" error ")) {
        return Optional.empty(); // an exception that is not a trap: never explained away
      }
    }
    boolean patchedAgrees = true;
    for (Engine engine : Engine.values()) {
      String lines;
      try {
        lines = runChicory(bytes, engine, true);
      } catch (RuntimeException | LinkageError e) {
        lines = "failed " + e;
      }
      patchedAgrees &= lines.equals(v8);
    }
    if (patchedAgrees) {
      return Optional.of("active-data-dropped");
    }
    WasmModule module = Parser.parse(bytes);
    for (int f = 0; f < module.codeSection().functionBodyCount(); f++) {
      for (var in : module.codeSection().getFunctionBody(f).instructions()) {
        if (in.opcode() == OpCode.F32_CONVERT_I64_U) {
          return Optional.of("f32-convert-i64-u?");
        }
      }
    }
    return Optional.empty();
  }

  /** One seed's outcome: every engine's lines, and the known issue that explains a difference. */
  record Outcome(
      long seed,
      Path module,
      boolean split,
      Map<String, String> byEngine,
      Optional<String> explanation) {
    boolean agrees() {
      return byEngine.values().stream().distinct().count() == 1;
    }

    /** The first line where an engine differs from V8, for the report. */
    String difference() {
      String v8 = byEngine.get("v8");
      StringBuilder b =
          new StringBuilder(
              "seed "
                  + seed
                  + " ("
                  + module
                  + ")"
                  + explanation.map(e -> " [known: " + e + "]").orElse("")
                  + ":");
      for (Map.Entry<String, String> e : byEngine.entrySet()) {
        if (!e.getValue().equals(v8)) {
          String[] a = v8.split("\n");
          String[] o = e.getValue().split("\n");
          for (int i = 0; i < Math.max(a.length, o.length); i++) {
            String x = i < a.length ? a[i] : "(nothing)";
            String y = i < o.length ? o[i] : "(nothing)";
            if (!x.equals(y)) {
              b.append("\n  ").append(e.getKey()).append(" line ").append(i + 1);
              b.append(": v8 '").append(x).append("', ").append(e.getKey()).append(" '");
              b.append(y).append("'");
              break;
            }
          }
        }
      }
      return b.toString();
    }
  }

  /** What a run found. */
  record Report(
      long firstSeed,
      long seeds,
      int functionsCalled,
      int modulesSplit,
      int splitsRefused,
      long millis,
      Map<Long, String> moduleHashes,
      List<Outcome> discrepancies) {
    String summary() {
      long byData =
          discrepancies.stream()
              .filter(o -> o.explanation().equals(Optional.of("active-data-dropped")))
              .count();
      long byConvert =
          discrepancies.stream()
              .filter(o -> o.explanation().equals(Optional.of("f32-convert-i64-u?")))
              .count();
      long unexplained = discrepancies.stream().filter(o -> o.explanation().isEmpty()).count();
      return "seeds "
          + firstSeed
          + ".."
          + (firstSeed + seeds - 1)
          + ": "
          + seeds
          + " modules, "
          + functionsCalled
          + " exported functions called on each of 4 engines, "
          + modulesSplit
          + " modules split ("
          + splitsRefused
          + " more whose split the validator refused, run unsplit as in production), "
          + discrepancies.size()
          + " discrepancies ("
          + byData
          + " explained by active data segments not dropped, "
          + byConvert
          + " in modules using f32.convert_i64_u, "
          + unexplained
          + " unexplained), "
          + millis
          + " ms";
    }
  }

  /**
   * Generates and runs the modules of some seeds, V8 in batches.
   *
   * @param first the first seed
   * @param count how many seeds
   * @param dir where modules and plans go
   */
  static Report run(long first, long count, Path dir) throws IOException, InterruptedException {
    long started = System.nanoTime();
    List<Outcome> discrepancies = new ArrayList<>();
    Map<Long, String> hashes = new LinkedHashMap<>();
    int called = 0;
    int split = 0;
    int refused = 0;
    int batch = 50;
    for (long from = first; from < first + count; from += batch) {
      long to = Math.min(first + count, from + batch);
      Map<Long, Path> files = new LinkedHashMap<>();
      Map<Long, byte[]> bytes = new LinkedHashMap<>();
      for (long seed = from; seed < to; seed++) {
        byte[] module = generate(seed, dir);
        hashes.put(seed, sha256(module));
        List<Call> calls = plan(Parser.parse(module));
        called += calls.size();
        Path file = dir.resolve(seed + ".wasm");
        Files.writeString(dir.resolve(seed + ".plan"), planText(calls));
        files.put(seed, file);
        bytes.put(seed, module);
      }
      Map<Path, String> v8 = runV8(new ArrayList<>(files.values()));
      for (Map.Entry<Long, Path> e : files.entrySet()) {
        byte[] module = bytes.get(e.getKey());
        Map<String, String> byEngine = new LinkedHashMap<>();
        byEngine.put("v8", v8.getOrDefault(e.getValue(), "(no output)\n"));
        for (Engine engine : Engine.values()) {
          String lines;
          try {
            lines = runChicory(module, engine);
          } catch (RuntimeException | LinkageError ex) {
            lines = "failed " + ex + "\n";
          }
          byEngine.put(engine.name().toLowerCase(java.util.Locale.ROOT), lines);
        }
        int refusedBefore = SPLITS_REFUSED.get();
        boolean wasSplit = validSplit(module, Parser.parse(module)).isPresent();
        if (wasSplit) {
          split++;
        } else if (SPLITS_REFUSED.get() > refusedBefore) {
          refused++;
        }
        Outcome o = new Outcome(e.getKey(), e.getValue(), wasSplit, byEngine, Optional.empty());
        if (!o.agrees()) {
          o =
              new Outcome(
                  o.seed(), o.module(), wasSplit, byEngine, explain(module, byEngine.get("v8")));
          discrepancies.add(o);
        } else {
          Files.delete(e.getValue());
          Files.delete(dir.resolve(e.getKey() + ".plan"));
        }
      }
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    return new Report(first, count, called, split, refused, millis, hashes, discrepancies);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs one module on every engine and returns each engine's lines, V8 first (its plan is written
   * next to it).
   */
  static Map<String, String> runAll(Path module) throws IOException, InterruptedException {
    byte[] bytes = Files.readAllBytes(module);
    String name = module.getFileName().toString().replaceFirst("\\.wasm$", "");
    Files.writeString(module.resolveSibling(name + ".plan"), planText(plan(Parser.parse(bytes))));
    Map<String, String> byEngine = new LinkedHashMap<>();
    byEngine.put("v8", runV8(List.of(module)).values().iterator().next());
    for (Engine engine : Engine.values()) {
      String lines;
      try {
        lines = runChicory(bytes, engine);
      } catch (RuntimeException | LinkageError e) {
        lines = "failed " + e + "\n";
      }
      byEngine.put(engine.name().toLowerCase(java.util.Locale.ROOT), lines);
    }
    return byEngine;
  }

  /**
   * Runs every module of a directory on every engine again and says which known issue explains it.
   */
  static void explainAll(Path dir) throws IOException, InterruptedException {
    List<Path> modules;
    try (var files = Files.list(dir)) {
      modules = files.filter(f -> f.toString().endsWith(".wasm")).sorted().toList();
    }
    Map<String, Integer> counts = new java.util.TreeMap<>();
    for (Path m : modules) {
      Map<String, String> all = runAll(m);
      String why =
          all.values().stream().distinct().count() == 1
              ? "agrees"
              : explain(Files.readAllBytes(m), all.get("v8")).orElse("unexplained");
      counts.merge(why, 1, Integer::sum);
      System.out.println(m.getFileName() + " " + why);
    }
    System.out.println(counts);
  }

  /**
   * Runs seeds from the command line, {@code DifferentialFuzz FIRST COUNT DIR}, or one module on
   * every engine, {@code DifferentialFuzz FILE.wasm}.
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("--split")) {
      byte[] bytes = Files.readAllBytes(Path.of(args[1]));
      Files.write(Path.of(args[2]), splitAll(bytes, Parser.parse(bytes)).orElse(bytes));
      return;
    }
    if (args.length == 2 && args[0].equals("--explain")) {
      explainAll(Path.of(args[1]));
      return;
    }
    if (args.length == 1) {
      runAll(Path.of(args[0]))
          .forEach((engine, lines) -> System.out.print("== " + engine + "\n" + lines));
      return;
    }
    long first = Long.parseLong(args[0]);
    long count = Long.parseLong(args[1]);
    Path dir = Files.createDirectories(Path.of(args[2]));
    Report r = run(first, count, dir);
    System.out.println(r.summary());
    for (Outcome o : r.discrepancies()) {
      System.out.println(o.difference());
    }
  }
}

package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.compiler.internal.ClassLoadingCollector;
import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A module is compiled once per hash; the on-disk cache and build-time compiled modules. */
class CompiledCodeTest {
  private static final AtomicLong NONCE = new AtomicLong(System.nanoTime());

  /** A module no other test uses, so that the process-wide sharing starts empty for it. */
  private static byte[] uniqueModule() {
    return Wat.wasm(
        "(module (func (export \"answer\") (result i32) i32.const "
            + (NONCE.incrementAndGet() & 0x3fff_ffff)
            + "))");
  }

  private static long answer(WasmVmProvider provider, byte[] module) {
    try (WasmVm vm = provider.create(new RecordingIntegration())) {
      vm.load(module);
      vm.link("test");
      return vm.function("answer", FunctionType.i32(0, 1)).orElseThrow().call()[0];
    }
  }

  private static long expected(byte[] module) {
    return answer(new ChicoryInterpreterProvider(), module);
  }

  @Test
  void twoBaseVmsOfOneModuleCompileItOnce() {
    byte[] module = uniqueModule();
    long before = CodeSource.COMPILATIONS.get();
    WasmVmProvider provider = new ChicoryCompilerProvider();
    try (WasmVm first = provider.create(new RecordingIntegration());
        WasmVm second = provider.create(new RecordingIntegration())) {
      first.load(module);
      second.load(module.clone());
      first.link("first");
      second.link("second");
      FunctionType type = FunctionType.i32(0, 1);
      assertEquals(
          first.function("answer", type).orElseThrow().call()[0],
          second.function("answer", type).orElseThrow().call()[0]);
      try (WasmVm clone = second.cloneVm()) {
        clone.link("clone");
        assertEquals(expected(module), clone.function("answer", type).orElseThrow().call()[0]);
      }
    }
    assertEquals(1, CodeSource.COMPILATIONS.get() - before, "compiled once for two bases");
  }

  private static List<Path> cached(ChicoryCompilerProvider provider) throws IOException {
    Path dir = provider.cacheDirectory().orElseThrow();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".classes")).toList();
    }
  }

  @Test
  void theDiskCacheServesARestartWithoutCompiling(@TempDir Path root) throws Exception {
    ChicoryCompilerProvider provider =
        ChicoryCompilerProvider.builder().cacheDirectory(root).build();
    assertTrue(
        provider.cacheDirectory().orElseThrow().getFileName().toString().startsWith("chicory-1."),
        provider.cacheDirectory().toString());
    byte[] module = uniqueModule();
    long want = expected(module);

    long compiled = CodeSource.COMPILATIONS.get();
    long loaded = CodeSource.DISK_LOADS.get();
    assertEquals(want, answer(provider, module));
    assertEquals(1, CodeSource.COMPILATIONS.get() - compiled);
    assertEquals(1, cached(provider).size(), "written to disk");

    CodeSource.forgetShared(); // a restart
    ChicoryCompilerProvider restarted =
        ChicoryCompilerProvider.builder().cacheDirectory(root).build();
    assertEquals(want, answer(restarted, module));
    assertEquals(1, CodeSource.COMPILATIONS.get() - compiled, "not compiled again");
    assertEquals(1, CodeSource.DISK_LOADS.get() - loaded, "loaded from disk");
  }

  @Test
  void aDamagedCacheFileIsReplacedNotTrusted(@TempDir Path root) throws Exception {
    ChicoryCompilerProvider provider =
        ChicoryCompilerProvider.builder().cacheDirectory(root).build();
    byte[] module = uniqueModule();
    long want = expected(module);
    answer(provider, module);
    Path file = cached(provider).get(0);
    byte[] good = Files.readAllBytes(file);
    for (byte[] damage :
        List.of(
            java.util.Arrays.copyOf(good, good.length / 2), // truncated
            flipLastByte(good), // corrupted
            new byte[0])) {
      Files.write(file, damage);
      CodeSource.forgetShared();
      long compiled = CodeSource.COMPILATIONS.get();
      assertEquals(want, answer(provider, module));
      assertEquals(1, CodeSource.COMPILATIONS.get() - compiled, "compiled again");
      assertArrayEquals(good, Files.readAllBytes(file), "rewritten whole");
    }
  }

  private static byte[] flipLastByte(byte[] bytes) {
    byte[] copy = bytes.clone();
    copy[copy.length - 1] ^= 0x5a;
    return copy;
  }

  @Test
  void aCacheThatCannotBeWrittenDoesNotFailTheLoad(@TempDir Path root) throws Exception {
    Path notADirectory = Files.writeString(root.resolve("file"), "x");
    ChicoryCompilerProvider provider =
        ChicoryCompilerProvider.builder().cacheDirectory(notADirectory).build();
    byte[] module = uniqueModule();
    assertEquals(expected(module), answer(provider, module));
    assertFalse(Files.isDirectory(notADirectory));
  }

  @Test
  void aModuleCompiledAtBuildTimeIsNotCompiledAgain() {
    byte[] module = uniqueModule();
    // What Chicory's Maven plugin generates: classes for the module, and a factory that
    // instantiates them for any Instance of a structurally identical module.
    ClassLoadingCollector classes =
        (ClassLoadingCollector)
            Compiler.builder(Parser.parse(module)).build().compile().collector();
    Function<Instance, Machine> generated = classes.machineFactory();
    int[] used = {0};
    ChicoryCompilerProvider provider =
        ChicoryCompilerProvider.builder()
            .precompiled(
                module,
                instance -> {
                  used[0]++;
                  return generated.apply(instance);
                })
            .build();
    long compiled = CodeSource.COMPILATIONS.get();
    assertEquals(expected(module), answer(provider, module));
    assertEquals(0, CodeSource.COMPILATIONS.get() - compiled, "nothing compiled");
    assertEquals(1, used[0], "the build-time factory made the machine");
    long other = answer(provider, uniqueModule());
    assertTrue(other > 0);
    assertEquals(1, CodeSource.COMPILATIONS.get() - compiled, "another module is compiled");
  }

  /** A function of {@code steps} arithmetic steps on its argument. */
  static String bigFunctionModule(int steps) {
    StringBuilder wat =
        new StringBuilder("(module (func (export \"mix\") (param i32) (result i32)\n");
    for (int i = 0; i < steps; i++) {
      wat.append(" local.get 0 i32.const ")
          .append(i * 31 + 7)
          .append(" i32.mul i32.const ")
          .append(i)
          .append(" i32.xor local.set 0\n");
    }
    return wat.append(" local.get 0))").toString();
  }

  @Test
  void functionsTooBigForTheJitAreFound() {
    ChicoryCompilerProvider provider =
        ChicoryCompilerProvider.builder().splitHugeFunctions(false).build();
    try (ChicoryVm small = (ChicoryVm) provider.create(new RecordingIntegration());
        ChicoryVm big = (ChicoryVm) provider.create(new RecordingIntegration())) {
      small.load(Wat.wasm(bigFunctionModule(10)));
      big.load(Wat.wasm(bigFunctionModule(1500)));
      assertEquals(List.of(), small.hugeMethods());
      List<String> huge = big.hugeMethods();
      assertEquals(1, huge.size(), huge.toString());
      int bytes = Integer.parseInt(huge.get(0).replaceAll(".*\\((\\d+) bytes\\)", "$1"));
      assertTrue(bytes > HugeMethods.HUGE_METHOD_LIMIT && bytes < 65_536, huge.toString());
      big.link("big");
      small.link("small");
      FunctionType type = new FunctionType(List.of(ValueType.I32), List.of(ValueType.I32));
      try (ChicoryVm interpreted =
          (ChicoryVm) new ChicoryInterpreterProvider().create(new RecordingIntegration())) {
        interpreted.load(Wat.wasm(bigFunctionModule(1500)));
        interpreted.link("interpreted");
        assertEquals(List.of(), interpreted.hugeMethods());
        assertEquals(
            interpreted.function("mix", type).orElseThrow().call(5)[0],
            big.function("mix", type).orElseThrow().call(5)[0],
            "the huge method computes what the interpreter does");
      }
    }
  }

  /**
   * A function with {@code repeats} loops over every numeric local type, ifs with both arms, memory
   * and a global, an early return and branches out of nested blocks; big enough at 60 repeats to be
   * over HotSpot's limit. Its result depends on everything it did.
   */
  static String structuredModule(int repeats, boolean oneOuterLoop) {
    StringBuilder w = new StringBuilder();
    w.append("(module (memory 1) (global $g (mut i32) (i32.const 3))\n");
    w.append(" (func $twice (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))\n");
    w.append(" (func (export \"work\") (param $n i32) (result i64)\n");
    w.append("  (local $a i64) (local $b f64) (local $i i32) (local $f f32) (local $t i32)\n");
    if (oneOuterLoop) {
      w.append("  (block $done (loop $outer\n");
    }
    for (int k = 0; k < repeats; k++) {
      w.append("  (local.set $i (i32.const 0))\n");
      w.append("  (block $exit").append(k).append(" (loop $top").append(k).append('\n');
      w.append("   (br_if $exit").append(k);
      w.append(" (i32.ge_u (local.get $i) (local.get $n)))\n");
      w.append(
          "   (local.set $a (i64.add (local.get $a) (i64.mul (i64.extend_i32_u (local.get $i))");
      w.append(" (i64.const ").append(k * 7 + 3).append("))))\n");
      w.append("   (if (i32.and (local.get $i) (i32.const 1))\n");
      w.append(
          "    (then (local.set $b (f64.add (local.get $b) (f64.convert_i64_s (local.get $a)))))\n");
      w.append("    (else (local.set $f (f32.add (local.get $f) (f32.const 1.5)))))\n");
      w.append("   (i32.store (i32.const 64) (i32.add (i32.load (i32.const 64))");
      w.append(" (local.tee $t (call $twice (local.get $i)))))\n");
      w.append("   (global.set $g (i32.add (global.get $g) (local.get $t)))\n");
      w.append("   (local.set $i (i32.add (local.get $i) (i32.const 1)))\n");
      w.append("   (br $top").append(k).append("))) \n");
      w.append("  (if (i32.eq (local.get $n) (i32.const ").append(1000 + k);
      w.append(")) (then (return (i64.const ").append(-k - 1).append("))))\n");
      if (oneOuterLoop) {
        w.append("  (br_if $done (i32.eq (global.get $g) (i32.const -7)))\n");
      }
    }
    if (oneOuterLoop) {
      w.append("  (global.set $g (i32.add (global.get $g) (i32.const 1)))\n");
      w.append("  (br_if $outer (i32.lt_u (global.get $g) (i32.const 40)))))\n");
    }
    w.append("  (i64.add (local.get $a) (i64.add (i64.trunc_f64_s (local.get $b))");
    w.append(" (i64.add (i64.trunc_f32_s (local.get $f)) (i64.extend_i32_u");
    w.append(" (i32.add (global.get $g) (i32.load (i32.const 64))))))))\n)");
    return w.toString();
  }

  private static long[] results(WasmVmProvider provider, byte[] module, int... inputs) {
    long[] out = new long[inputs.length];
    FunctionType type = new FunctionType(List.of(ValueType.I32), List.of(ValueType.I64));
    for (int i = 0; i < inputs.length; i++) {
      try (WasmVm vm = provider.create(new RecordingIntegration())) {
        vm.load(module);
        vm.link("work");
        out[i] = vm.function("work", type).orElseThrow().call(inputs[i])[0];
      }
    }
    return out;
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void hugeFunctionsAreSplitAndComputeWhatTheyDid(boolean oneOuterLoop) {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        HugeMethods.jvmSkipsHugeMethods(), "runs where HotSpot skips huge methods");
    byte[] module = Wat.wasm(structuredModule(60, oneOuterLoop));
    int[] inputs = {0, 1, 2, 7, 1003, 1059};
    long[] interpreted = results(new ChicoryInterpreterProvider(), module, inputs);
    ChicoryCompilerProvider keep =
        ChicoryCompilerProvider.builder().splitHugeFunctions(false).build();
    ChicoryCompilerProvider split = ChicoryCompilerProvider.builder().build();
    try (ChicoryVm whole = (ChicoryVm) keep.create(new RecordingIntegration());
        ChicoryVm pieces = (ChicoryVm) split.create(new RecordingIntegration())) {
      whole.load(module);
      long splits = CodeSource.SPLITS.get();
      pieces.load(module);
      assertEquals(1, CodeSource.SPLITS.get() - splits, "split once");
      assertEquals(1, whole.hugeMethods().size(), whole.hugeMethods().toString());
      assertEquals(List.of(), pieces.hugeMethods(), "no method left over the limit");
    }
    assertArrayEquals(interpreted, results(keep, module, inputs), "compiled whole");
    assertArrayEquals(interpreted, results(split, module, inputs), "compiled split");
  }

  @Test
  void theStraightLineBenchmarkShapeIsSplitToo() {
    org.junit.jupiter.api.Assumptions.assumeTrue(HugeMethods.jvmSkipsHugeMethods());
    byte[] module = Wat.wasm(bigFunctionModule(1500));
    ChicoryCompilerProvider split = ChicoryCompilerProvider.builder().build();
    FunctionType type = new FunctionType(List.of(ValueType.I32), List.of(ValueType.I32));
    try (ChicoryVm pieces = (ChicoryVm) split.create(new RecordingIntegration());
        ChicoryVm interpreted =
            (ChicoryVm) new ChicoryInterpreterProvider().create(new RecordingIntegration())) {
      pieces.load(module);
      assertEquals(List.of(), pieces.hugeMethods());
      pieces.link("pieces");
      interpreted.load(module);
      interpreted.link("interpreted");
      for (int input : new int[] {0, 5, -3, 123456}) {
        assertEquals(
            interpreted.function("mix", type).orElseThrow().call(input)[0],
            pieces.function("mix", type).orElseThrow().call(input)[0]);
      }
    }
  }

  @Test
  void theDiskCacheKeepsTheSplitModule(@TempDir Path root) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(HugeMethods.jvmSkipsHugeMethods());
    byte[] module = Wat.wasm(structuredModule(61, false));
    int[] inputs = {0, 3, 1005};
    long[] interpreted = results(new ChicoryInterpreterProvider(), module, inputs);
    ChicoryCompilerProvider provider =
        ChicoryCompilerProvider.builder().cacheDirectory(root).build();
    long splits = CodeSource.SPLITS.get();
    assertArrayEquals(interpreted, results(provider, module, inputs));
    assertEquals(1, CodeSource.SPLITS.get() - splits);
    CodeSource.forgetShared(); // a restart
    long compiled = CodeSource.COMPILATIONS.get();
    long loaded = CodeSource.DISK_LOADS.get();
    ChicoryCompilerProvider restarted =
        ChicoryCompilerProvider.builder().cacheDirectory(root).build();
    try (ChicoryVm vm = (ChicoryVm) restarted.create(new RecordingIntegration())) {
      vm.load(module);
      assertEquals(List.of(), vm.hugeMethods(), "the split module came back from disk");
    }
    assertArrayEquals(interpreted, results(restarted, module, inputs));
    assertEquals(0, CodeSource.COMPILATIONS.get() - compiled, "nothing compiled");
    assertEquals(1, CodeSource.DISK_LOADS.get() - loaded);
  }
}

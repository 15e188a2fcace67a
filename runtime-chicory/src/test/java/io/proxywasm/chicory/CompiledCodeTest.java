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
    ChicoryCompilerProvider provider = new ChicoryCompilerProvider();
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
}

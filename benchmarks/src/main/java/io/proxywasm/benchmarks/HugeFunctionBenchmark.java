package io.proxywasm.benchmarks;

import io.proxywasm.chicory.ChicoryCompilerProvider;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What HotSpot's huge-method limit costs a Go-sized plugin on {@code chicory-compiler}: a 200
 * function, multi-megabyte module whose functions each translate to a JVM method over 8000 bytes.
 * {@code huge} calls one of them, left as it is, with the JVM's default flags (the method stays in
 * the JVM's interpreter); {@code hugeWithJit} does the same in a JVM started with {@code
 * -XX:-DontCompileHugeMethods}; {@code hugeSplitByTheHost} calls it in the module as the provider
 * loads it by default, its huge functions split, with default flags; {@code split} does exactly the
 * same work in small functions written that way, the shape the JIT compiles without any flag.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HugeFunctionBenchmark extends BenchmarkDefaults {
  static final int FUNCTIONS = 200;
  static final int STEPS = 1500;
  static final int PARTS = 15;

  private WasmVm vm;
  private WasmVm splitVm;
  private WasmFunction huge;
  private WasmFunction hugeSplit;
  private WasmFunction split;
  private int input;

  /** Creates the benchmark state; JMH calls it. */
  public HugeFunctionBenchmark() {}

  /** Compiles the module and checks both shapes compute the same. */
  @Setup
  public void setUp() {
    byte[] module = GeneratedModules.bigFunctions(FUNCTIONS, STEPS, PARTS);
    long start = System.nanoTime();
    vm =
        ChicoryCompilerProvider.builder()
            .splitHugeFunctions(false)
            .build()
            .create(StandaloneVms.QUIET);
    vm.load(module);
    vm.link("huge");
    long whole = System.nanoTime() - start;
    start = System.nanoTime();
    splitVm = ChicoryCompilerProvider.builder().build().create(StandaloneVms.QUIET);
    splitVm.load(module);
    splitVm.link("split");
    System.out.printf(
        "%n[module %,d bytes: compiled and linked in %,d ms as it is, %,d ms split]%n",
        module.length, whole / 1_000_000, (System.nanoTime() - start) / 1_000_000);
    FunctionType type = new FunctionType(List.of(ValueType.I32), List.of(ValueType.I32));
    huge = vm.function("big0", type).orElseThrow();
    hugeSplit = splitVm.function("big0", type).orElseThrow();
    split = vm.function("split", type).orElseThrow();
    if (huge.call(12345)[0] != split.call(12345)[0]
        || huge.call(12345)[0] != hugeSplit.call(12345)[0]) {
      throw new IllegalStateException("the shapes disagree");
    }
  }

  /** Closes the VM. */
  @TearDown
  public void tearDown() {
    vm.close();
    splitVm.close();
  }

  /**
   * One call of a huge function left as it is, default JVM flags.
   *
   * @return the result
   */
  @Benchmark
  public long huge() {
    return huge.call(input++)[0];
  }

  /**
   * One call of a huge function that {@code chicory-compiler} split, default JVM flags.
   *
   * @return the result
   */
  @Benchmark
  public long hugeSplitByTheHost() {
    return hugeSplit.call(input++)[0];
  }

  /**
   * One call of a huge function in a JVM that JIT-compiles huge methods.
   *
   * @return the result
   */
  @Benchmark
  @Fork(value = 1, jvmArgsAppend = "-XX:-DontCompileHugeMethods")
  public long hugeWithJit() {
    return huge.call(input++)[0];
  }

  /**
   * The same work in small functions, default JVM flags.
   *
   * @return the result
   */
  @Benchmark
  public long split() {
    return split.call(input++)[0];
  }
}

package io.proxywasm.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The JVM half of the "Go-shaped" rows of {@code benchmarks/v8/compare.sh}: a Go program built for
 * {@code GOOS=js GOARCH=wasm} (the code shape of the Go SDK; no wasip1 Go toolchain builds a Go
 * plugin here) run to its exit on a fresh instance of the loaded module, as {@code
 * benchmarks/v8/host.mjs} runs it on node. See {@link GoJsProgram}.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class V8CompareGoBenchmark extends BenchmarkDefaults {
  /** The runtime. */
  @Param({"asm"})
  public String runtime;

  /** The program, under plugins/wasm (the same parameter name as V8CompareBenchmark's). */
  @Param({"go-js-statemachine.wasm", "go-js-wordfreq.wasm"})
  public String plugin;

  private GoJsProgram program;

  /** Creates the benchmark state; JMH calls it. */
  public V8CompareGoBenchmark() {}

  /**
   * Loads the program and runs it once.
   *
   * @throws Exception if it cannot be read or loaded
   */
  @Setup
  public void load() throws Exception {
    program = new GoJsProgram(runtime, corpus(plugin));
    program.run();
  }

  /** Releases the base VM. */
  @TearDown
  public void close() {
    program.close();
  }

  /**
   * One run of the program on a fresh instance.
   *
   * @return what it printed, so that nothing is optimised away
   */
  @Benchmark
  public String run() {
    return program.run();
  }
}

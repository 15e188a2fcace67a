package io.proxywasm.benchmarks;

import io.proxywasm.benchmarks.precompiled.HttpHeadersModule;
import io.proxywasm.chicory.ChicoryCompilerProvider;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;

/**
 * A gateway that starts without compiling: a base VM of {@code c-http-headers.wasm} whose classes
 * Chicory's Maven plugin generated at build time ({@code basePrecompiled}, registered with {@link
 * ChicoryCompilerProvider.Builder#precompiled}), against one that compiles the module ({@code
 * baseCompiled}, a module hash not seen before, as at a cold start).
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PrecompiledBenchmark extends BenchmarkDefaults {
  private byte[] code;
  private ChicoryCompilerProvider compiling;
  private ChicoryCompilerProvider precompiled;
  private long salt;

  /** Creates the benchmark state; JMH calls it. */
  public PrecompiledBenchmark() {}

  /**
   * Reads the module and makes both providers.
   *
   * @throws IOException if the module cannot be read
   */
  @Setup
  public void setUp() throws IOException {
    code = httpHeaders();
    compiling = ChicoryCompilerProvider.builder().build();
    precompiled = precompiledProvider(code);
  }

  static byte[] httpHeaders() throws IOException {
    return corpus("c-http-headers.wasm");
  }

  /** The compiler with the build-time classes of {@code c-http-headers.wasm} registered. */
  static ChicoryCompilerProvider precompiledProvider(byte[] httpHeaders) {
    return ChicoryCompilerProvider.builder()
        .precompiled(httpHeaders, HttpHeadersModule::create)
        .build();
  }

  /**
   * A base VM from the build-time classes: parse and link, no compile.
   *
   * @return the VM's memory size
   */
  @Benchmark
  public long basePrecompiled() {
    return StandaloneVms.base(precompiled, code);
  }

  /**
   * A base VM that compiles its module.
   *
   * @return the VM's memory size
   */
  @Benchmark
  public long baseCompiled() {
    return StandaloneVms.base(compiling, GeneratedModules.withSalt(code, salt++));
  }
}

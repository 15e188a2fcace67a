package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.spi.FilterHeadersStatus;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JVM half of the comparison with V8 ({@code benchmarks/v8/compare.sh}): the workload {@code
 * benchmarks/v8/host.mjs} runs on node, through the embedder API on one long-lived worker with a
 * log sink that drops everything. Per request: stream context creation, request headers (the same
 * 6), response headers (the same 2), log, done, delete.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class V8CompareBenchmark {
  /** The runtime. */
  @Param({"chicory-compiler"})
  public String runtime;

  /** The corpus plugin, under plugins/wasm. */
  @Param({"c-http-headers.wasm", "as-http-headers.wasm"})
  public String plugin;

  private EmbedderExchange exchange;

  /** The request headers host.mjs sends. */
  private final HeaderMap request =
      HeaderMap.of(
          ":method", "GET",
          ":path", "/api/items?page=2",
          ":authority", "example.com",
          ":scheme", "https",
          "user-agent", "bench/1.0",
          "x-request-id", "4bf92f3577b34da6a3ce929d0e0e4736");

  /** The response headers host.mjs sends. */
  private final HeaderMap response = HeaderMap.of(":status", "200", "content-type", "text/plain");

  /** Creates the benchmark state; JMH calls it. */
  public V8CompareBenchmark() {}

  /**
   * Loads the plugin and starts it on a worker.
   *
   * @throws Exception if the plugin cannot load
   */
  @Setup
  public void setUp() throws Exception {
    exchange = EmbedderExchange.corpus(plugin, runtime);
  }

  /** Releases the worker, the plugin and the host. */
  @TearDown
  public void tearDown() {
    exchange.close();
  }

  /**
   * One request through the plugin.
   *
   * @return the request decision, so that nothing is optimised away
   */
  @Benchmark
  public FilterHeadersStatus request() {
    return exchange.run(request, response);
  }
}

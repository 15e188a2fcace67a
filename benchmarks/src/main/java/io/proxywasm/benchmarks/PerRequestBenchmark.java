package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.spi.FilterHeadersStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The cost of one HTTP exchange through a plugin: stream context creation, request headers,
 * response headers, log, done and delete, on each runtime; and the same work written in plain Java,
 * as the baseline the ratios in docs/performance.md are measured against.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PerRequestBenchmark {
  /** The runtime. */
  @Param({"chicory", "chicory-compiler"})
  public String runtime;

  /** The corpus plugin, under plugins/wasm. */
  @Param({"c-http-headers.wasm", "as-http-headers.wasm"})
  public String plugin;

  private EmbedderExchange exchange;
  private final HeaderMap request = requestHeaders();
  private final HeaderMap response = HeaderMap.of(":status", "200", "content-type", "text/plain");

  /** Creates the benchmark state; JMH calls it. */
  public PerRequestBenchmark() {}

  static HeaderMap requestHeaders() {
    return HeaderMap.of(
        ":method", "GET",
        ":path", "/api/items?page=2",
        ":authority", "example.com",
        ":scheme", "https",
        "user-agent", "bench/1.0",
        "accept", "application/json",
        "x-request-id", "4bf92f3577b34da6a3ce929d0e0e4736");
  }

  static byte[] corpus(String name) throws IOException {
    return Files.readAllBytes(
        Path.of(System.getProperty("proxywasm.plugins.dir", "plugins"), "wasm", name));
  }

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
   * One exchange through the plugin.
   *
   * @return the request decision, so that nothing is optimised away
   */
  @Benchmark
  public FilterHeadersStatus exchange() {
    return exchange.run(request, response);
  }
}

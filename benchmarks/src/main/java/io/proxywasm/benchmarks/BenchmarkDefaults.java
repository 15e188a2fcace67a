package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What every benchmark here shares: the JMH settings (average time, 3 warm-up and 5 measured
 * iterations of 2 seconds, one fork; JMH's annotations are inherited, and a benchmark that reports
 * in another unit says so with its own {@code @OutputTimeUnit}), the corpus under {@code
 * plugins/wasm} and the headers of the per-request workload.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public abstract class BenchmarkDefaults {
  /** For the benchmarks. */
  protected BenchmarkDefaults() {}

  /** The request headers of one exchange of the per-request workload. */
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

  /** The response headers of one exchange of the per-request workload. */
  static HeaderMap responseHeaders() {
    return HeaderMap.of(":status", "200", "content-type", "text/plain");
  }

  /** A plugin of the corpus, {@code plugins/wasm/NAME} (or under {@code proxywasm.plugins.dir}). */
  static byte[] corpus(String name) throws IOException {
    return Files.readAllBytes(
        Path.of(System.getProperty("proxywasm.plugins.dir", "plugins"), "wasm", name));
  }
}

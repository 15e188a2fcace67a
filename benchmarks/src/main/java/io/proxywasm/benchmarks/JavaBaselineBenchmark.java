package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The http-headers plugin's work as a plain Java method call: format a log line per request and
 * response header, look at {@code :path}. The baseline of the per-request ratios.
 */
public class JavaBaselineBenchmark extends BenchmarkDefaults {
  private final HeaderMap request = requestHeaders();
  private final HeaderMap response = responseHeaders();
  private int contextId = 1;

  /** Creates the benchmark state; JMH calls it. */
  public JavaBaselineBenchmark() {}

  /**
   * The same work as one exchange through the plugin, without a plugin.
   *
   * @param sink consumes the log lines the plugin would have written
   * @return whether the request would be answered locally
   */
  @Benchmark
  public boolean exchange(Blackhole sink) {
    int id = ++contextId;
    for (int i = 0; i < request.size(); i++) {
      sink.consume("#" + id + " -> " + request.name(i) + ": " + request.value(i));
    }
    boolean hello = request.get(":path").map("/hello"::equals).orElse(false);
    for (int i = 0; i < response.size(); i++) {
      sink.consume("#" + id + " <- " + response.name(i) + ": " + response.value(i));
    }
    sink.consume("#" + id + " completed.");
    return hello;
  }
}

package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.spi.FilterHeadersStatus;
import java.io.IOException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one host call, through the whole host: {@code plugins/wasm/host-call-loop.wasm} calls
 * {@code proxy_get_current_time_nanoseconds} 1000 times in {@code proxy_on_request_headers} ({@code
 * calls}) and runs the same loop without the call in {@code proxy_on_response_headers} ({@code
 * loopOnly}). One host call costs {@code (calls - loopOnly) / 1000}.
 */
public class HostCallBenchmark extends BenchmarkDefaults {
  /** The runtime. */
  @Param({"chicory", "chicory-compiler"})
  public String runtime;

  private EmbedderExchange plugin;
  private HttpStream stream;
  private final HeaderMap headers = HeaderMap.of(":path", "/");

  /** Creates the benchmark state; JMH calls it. */
  public HostCallBenchmark() {}

  /**
   * Loads the plugin and opens one stream the callbacks run on.
   *
   * @throws IOException if the plugin cannot be read
   * @throws PluginLoadException if it cannot be loaded
   */
  @Setup
  public void setUp() throws IOException, PluginLoadException {
    plugin =
        EmbedderExchange.start(
            PluginConfig.builder("calls")
                .runtime(runtime)
                .code(corpus("host-call-loop.wasm"))
                .build());
    stream = plugin.newStream();
    if (stream.onRequestHeaders(headers, false) != FilterHeadersStatus.CONTINUE) {
      throw new IllegalStateException("the plugin did not continue");
    }
  }

  /** Closes everything. */
  @TearDown
  public void tearDown() {
    stream.close();
    plugin.close();
  }

  /**
   * A callback making 1000 host calls.
   *
   * @return the decision
   */
  @Benchmark
  public FilterHeadersStatus calls() {
    return stream.onRequestHeaders(headers, false);
  }

  /**
   * The same callback and loop without the calls.
   *
   * @return the decision
   */
  @Benchmark
  public FilterHeadersStatus loopOnly() {
    return stream.onResponseHeaders(headers, false);
  }
}

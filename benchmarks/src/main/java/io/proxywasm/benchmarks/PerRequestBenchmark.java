package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.spi.FilterHeadersStatus;
import java.io.IOException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * The cost of one HTTP exchange through a plugin: stream context creation, request headers,
 * response headers, log, done and delete, on each runtime; and the same work written in plain Java,
 * as the baseline the ratios in docs/performance.md are measured against.
 */
public class PerRequestBenchmark extends ExchangeBenchmark {
  /** The runtime. */
  @Param({"chicory", "chicory-compiler"})
  public String runtime;

  /** The corpus plugin, under plugins/wasm. */
  @Param({"c-http-headers.wasm", "as-http-headers.wasm"})
  public String plugin;

  private final HeaderMap request = requestHeaders();
  private final HeaderMap response = responseHeaders();

  /** Creates the benchmark state; JMH calls it. */
  public PerRequestBenchmark() {}

  @Override
  EmbedderExchange start() throws IOException, PluginLoadException {
    return EmbedderExchange.corpus(plugin, runtime);
  }

  /**
   * One exchange through the plugin.
   *
   * @return the request decision, so that nothing is optimised away
   */
  @Benchmark
  public FilterHeadersStatus exchange() {
    return runExchange(request, response);
  }
}

package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.spi.FilterHeadersStatus;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A benchmark of whole exchanges through one plugin started on a long-lived worker ({@link
 * EmbedderExchange}): the subclass says which plugin, this class starts and releases it.
 */
public abstract class ExchangeBenchmark extends BenchmarkDefaults {
  private EmbedderExchange exchange;

  /** For the benchmarks. */
  protected ExchangeBenchmark() {}

  /**
   * Starts the plugin the benchmark measures.
   *
   * @return the plugin, started on a worker
   * @throws Exception if the plugin cannot load
   */
  abstract EmbedderExchange start() throws Exception;

  /**
   * Loads the plugin and starts it on a worker.
   *
   * @throws Exception if the plugin cannot load
   */
  @Setup
  public void startExchange() throws Exception {
    exchange = start();
  }

  /** Releases the worker, the plugin and the host. */
  @TearDown
  public void closeExchange() {
    exchange.close();
  }

  /** One exchange; returns the request decision, so that nothing is optimised away. */
  final FilterHeadersStatus runExchange(HeaderMap request, HeaderMap response) {
    return exchange.run(request, response);
  }
}

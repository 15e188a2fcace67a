package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.spi.FilterHeadersStatus;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

/**
 * The JVM half of the comparison with V8 ({@code benchmarks/v8/compare.sh}): the workload {@code
 * benchmarks/v8/host.mjs} runs on node, through the embedder API on one long-lived worker with a
 * log sink that drops everything. Per request: stream context creation, request headers (the same
 * 6), response headers (the same 2), log, done, delete.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class V8CompareBenchmark extends ExchangeBenchmark {
  /** The runtime. */
  @Param({"asm"})
  public String runtime;

  /**
   * The corpus plugin, under plugins/wasm: every one whose workload fits an HTTP exchange with no
   * body, no trailers, no callouts and no queues (docs/performance.md, "Against V8").
   */
  @Param({
    "c-http-headers.wasm",
    "as-http-headers.wasm",
    "rust-http-headers.wasm",
    "cpp-http-headers.wasm",
    "rust-early-close.wasm",
    "cpp-early-close.wasm",
    "rust-trailers.wasm",
    "cpp-trailers.wasm",
    "rust-properties.wasm",
    "cpp-properties.wasm",
    "startup-logs.wasm",
    "host-call-loop.wasm",
    "go-runtime-startup.wasm"
  })
  public String plugin;

  /** The request headers host.mjs sends, as they are before each exchange. */
  private static final HeaderMap REQUEST = sentRequest();

  /** The response headers host.mjs sends, as they are before each exchange. */
  private static final HeaderMap RESPONSE = responseHeaders();

  /** The request headers of the next exchange: the plugin may change them. */
  private final HeaderMap request = sentRequest();

  /** The request headers host.mjs sends, a new map. */
  static HeaderMap sentRequest() {
    return HeaderMap.of(
        ":method", "GET",
        ":path", "/api/items?page=2",
        ":authority", "example.com",
        ":scheme", "https",
        "user-agent", "bench/1.0",
        "x-request-id", "4bf92f3577b34da6a3ce929d0e0e4736");
  }

  /** The response headers of the next exchange: the plugin may change them. */
  private final HeaderMap response = responseHeaders();

  /** Creates the benchmark state; JMH calls it. */
  public V8CompareBenchmark() {}

  @Override
  EmbedderExchange start() throws IOException, PluginLoadException {
    return EmbedderExchange.corpus(plugin, runtime);
  }

  /**
   * One request through the plugin.
   *
   * @return the request decision, so that nothing is optimised away
   */
  @Benchmark
  public FilterHeadersStatus request() {
    FilterHeadersStatus status = runExchange(request, response);
    EmbedderExchange.restore(request, REQUEST);
    EmbedderExchange.restore(response, RESPONSE);
    return status;
  }
}

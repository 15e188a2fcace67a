package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterHeadersStatus;
import java.io.IOException;
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
 * The cost of one host call, through the whole host: {@code plugins/wasm/host-call-loop.wasm} calls
 * {@code proxy_get_current_time_nanoseconds} 1000 times in {@code proxy_on_request_headers} ({@code
 * calls}) and runs the same loop without the call in {@code proxy_on_response_headers} ({@code
 * loopOnly}). One host call costs {@code (calls - loopOnly) / 1000}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HostCallBenchmark {
  /** The runtime. */
  @Param({"chicory", "chicory-compiler"})
  public String runtime;

  private ProxyWasmHost host;
  private Plugin loaded;
  private Worker worker;
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
    byte[] code = PerRequestBenchmark.corpus("host-call-loop.wasm");
    host = ProxyWasmHost.builder().build();
    loaded = host.load(PluginConfig.builder("calls").runtime(runtime).code(code).build());
    worker = host.newWorker();
    PluginHandle handle = worker.handle(loaded);
    stream = handle.newHttpStream(HttpStreamListener.IGNORE);
    if (stream.onRequestHeaders(headers, false) != FilterHeadersStatus.CONTINUE) {
      throw new IllegalStateException("the plugin did not continue");
    }
  }

  /** Closes everything. */
  @TearDown
  public void tearDown() {
    stream.close();
    worker.close();
    loaded.close();
    host.close();
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

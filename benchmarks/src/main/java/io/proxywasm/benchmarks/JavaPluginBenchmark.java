package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.nullvm.NullVmProvider;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The Java twin of the http-headers plugin ({@code java:http-headers}) on the Null VM: one exchange
 * through the full host ({@link #throughHost}), as {@link PerRequestBenchmark} measures the wasm
 * runtimes, and the same callbacks called straight on the VM with a minimal host that only keeps
 * two header maps ({@link #direct}) — the cost of the plugin's own methods, the baseline of the
 * "within 2x" target.
 */
public class JavaPluginBenchmark extends ExchangeBenchmark {
  private final HeaderMap request = requestHeaders();
  private final HeaderMap response = responseHeaders();

  private WasmVm vm;
  private MinimalHost minimal;
  private WasmFunction contextCreate;
  private WasmFunction requestHeaders;
  private WasmFunction responseHeaders;
  private WasmFunction onLog;
  private WasmFunction onDone;
  private WasmFunction onDelete;

  /** Creates the benchmark state; JMH calls it. */
  public JavaPluginBenchmark() {}

  @Override
  EmbedderExchange start() throws PluginLoadException {
    return EmbedderExchange.start(PluginConfig.builder("bench").javaPlugin("http-headers").build());
  }

  /** Loads the plugin, separately from the host's, in a bare Null VM. */
  @Setup
  public void setUpDirect() {
    vm = new NullVmProvider().create(StandaloneVms.QUIET);
    vm.load("java:http-headers".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    minimal = new MinimalHost(toList(request), toList(response));
    vm.registerHostAbi(minimal);
    vm.link("bench");
    contextCreate = fn("proxy_on_context_create", 2, 0);
    requestHeaders = fn("proxy_on_request_headers", 3, 1);
    responseHeaders = fn("proxy_on_response_headers", 3, 1);
    onLog = fn("proxy_on_log", 1, 0);
    onDone = fn("proxy_on_done", 1, 1);
    onDelete = fn("proxy_on_delete", 1, 0);
    contextCreate.call(1, 0);
  }

  private static List<Header> toList(HeaderMap map) {
    return List.copyOf(map.entries());
  }

  private WasmFunction fn(String name, int params, int results) {
    return vm.function(name, FunctionType.i32(params, results)).orElseThrow();
  }

  /** Releases the bare VM. */
  @TearDown
  public void closeDirect() {
    vm.close();
  }

  /**
   * One exchange through the host on the Null VM.
   *
   * @return the request decision
   */
  @Benchmark
  public FilterHeadersStatus throughHost() {
    return runExchange(request, response);
  }

  /**
   * The same callbacks on the bare VM with a minimal host.
   *
   * @return the request decision
   */
  @Benchmark
  public long direct() {
    contextCreate.call(2, 1);
    long status = requestHeaders.call(2, 7, 0)[0];
    responseHeaders.call(2, 2, 1);
    onLog.call(2);
    onDone.call(2);
    onDelete.call(2);
    return status;
  }
}

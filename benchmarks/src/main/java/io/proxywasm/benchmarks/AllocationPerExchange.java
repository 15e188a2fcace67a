package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import java.lang.management.ManagementFactory;

/**
 * The bytes one exchange of {@link PerRequestBenchmark}'s workload allocates on its thread, exact:
 * {@code com.sun.management.ThreadMXBean.getCurrentThreadAllocatedBytes()} read around a loop of
 * exchanges after a warm-up. JMH's {@code -prof gc} gives the same figure with an error bar; this
 * one has none, so that a change of a few bytes shows.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar io.proxywasm.benchmarks.AllocationPerExchange \
 *     [plugin, default c-http-headers.wasm] [runtime, default chicory-compiler]
 * }</pre>
 */
public final class AllocationPerExchange {
  private static final int WARMUP = 300_000;
  private static final int MEASURED = 50_000;

  private AllocationPerExchange() {}

  /**
   * Runs the loop and prints the bytes per exchange.
   *
   * @param args the corpus plugin and the runtime, both optional
   * @throws Exception if the plugin cannot load
   */
  public static void main(String[] args) throws Exception {
    String plugin = args.length > 0 ? args[0] : "c-http-headers.wasm";
    String runtime = args.length > 1 ? args[1] : "chicory-compiler";
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    HeaderMap request = BenchmarkDefaults.requestHeaders();
    HeaderMap response = BenchmarkDefaults.responseHeaders();
    try (EmbedderExchange exchange = EmbedderExchange.corpus(plugin, runtime)) {
      for (int i = 0; i < WARMUP; i++) {
        exchange.run(request, response);
      }
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < MEASURED; i++) {
        exchange.run(request, response);
      }
      long bytes = threads.getCurrentThreadAllocatedBytes() - before;
      System.out.printf(
          "%s on %s: %d B per exchange (%d exchanges after %d of warm-up)%n",
          plugin, runtime, Math.round((double) bytes / MEASURED), MEASURED, WARMUP);
    }
  }
}

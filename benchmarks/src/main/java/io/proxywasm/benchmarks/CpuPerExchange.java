package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The CPU time one exchange of {@link PerRequestBenchmark}'s workload takes on its thread: {@link
 * ThreadMXBean#getCurrentThreadCpuTime()} read around 7 rounds of 50,000 exchanges after a warm-up
 * of 300,000. On a shared machine CPU time moves less with the load than JMH's wall-clock time (the
 * thread is not charged for the time it waits for a core), though caches and clock speed still move
 * it: compare two builds by running each a few times alternately and reading the lowest rounds. The
 * garbage collector's threads are not counted; the allocation is {@link AllocationPerExchange}'s
 * figure.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar io.proxywasm.benchmarks.CpuPerExchange \
 *     [plugin, default c-http-headers.wasm] [runtime, default chicory-compiler]
 * }</pre>
 */
public final class CpuPerExchange {
  private static final int WARMUP = 300_000;
  private static final int ROUNDS = 7;
  private static final int PER_ROUND = 50_000;

  private CpuPerExchange() {}

  /**
   * Runs the rounds and prints the median and the lowest CPU time per exchange, and every round.
   *
   * @param args the corpus plugin and the runtime, both optional
   * @throws Exception if the plugin cannot load
   */
  public static void main(String[] args) throws Exception {
    String plugin = args.length > 0 ? args[0] : "c-http-headers.wasm";
    String runtime = args.length > 1 ? args[1] : "chicory-compiler";
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    HeaderMap request = BenchmarkDefaults.requestHeaders();
    HeaderMap response = BenchmarkDefaults.responseHeaders();
    HeaderMap requestTemplate = BenchmarkDefaults.requestHeaders();
    HeaderMap responseTemplate = BenchmarkDefaults.responseHeaders();
    long[] nanos = new long[ROUNDS];
    try (EmbedderExchange exchange = EmbedderExchange.corpus(plugin, runtime)) {
      for (int i = 0; i < WARMUP; i++) {
        exchange.run(request, response);
        EmbedderExchange.restore(request, requestTemplate);
        EmbedderExchange.restore(response, responseTemplate);
      }
      for (int r = 0; r < ROUNDS; r++) {
        long before = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < PER_ROUND; i++) {
          exchange.run(request, response);
          EmbedderExchange.restore(request, requestTemplate);
          EmbedderExchange.restore(response, responseTemplate);
        }
        nanos[r] = Math.round((threads.getCurrentThreadCpuTime() - before) / (double) PER_ROUND);
      }
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf(
        "%s on %s: %d ns CPU per exchange (median of %d rounds of %d), lowest %d, rounds %s%n",
        plugin, runtime, sorted[ROUNDS / 2], ROUNDS, PER_ROUND, sorted[0], Arrays.toString(nanos));
  }
}

package io.proxywasm.cli;

import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.spi.WasmVmProvider;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TestPlugin;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code proxy-wasm bench}: what a plugin costs on a runtime. The exchange of {@code run} is
 * repeated on one worker (a fresh stream context each time, the VM reused) in batches; the report
 * gives the median and spread of the per-exchange time over batches, the time to load the plugin
 * (base VM and canary) and to start it on a worker (a clone), and the VM's memory.
 *
 * <p>A quick look for plugin authors; JMH (benchmarks/) is the tool for figures to publish.
 */
final class Bench {
  private static final int BATCHES = 20;

  private Bench() {}

  static int run(ProxyWasmCommand.Options o, PrintStream out, PrintStream err)
      throws ProxyWasmCommand.UsageException {
    byte[] code = ProxyWasmCommand.readPlugin(o);
    WasmVmProvider runtime = ProxyWasmCommand.runtime(o);
    Consumer<PluginConfig.Builder> config =
        c ->
            c.rootId(o.rootId)
                .vmId(o.vmId)
                .pluginConfiguration(o.pluginConfig)
                .vmConfiguration(o.vmConfig);
    long loadStart = System.nanoTime();
    TestPlugin plugin;
    try {
      plugin = ProxyWasmTestKit.runtime(runtime).plugin(code).config(config).start();
    } catch (PluginLoadException | IllegalStateException e) {
      err.println("proxy-wasm: cannot load " + o.plugin + ": " + e.getMessage());
      return 2;
    }
    long createNanos = System.nanoTime() - loadStart;
    try (plugin) {
      for (int i = 0; i < o.warmup; i++) {
        exchange(plugin, o);
      }
      long cloneNanos = timeClone(plugin);
      int perBatch = Math.max(1, o.requests / BATCHES);
      List<Double> batches = new ArrayList<>();
      for (int b = 0; b < BATCHES; b++) {
        long start = System.nanoTime();
        for (int i = 0; i < perBatch; i++) {
          exchange(plugin, o);
        }
        batches.add((System.nanoTime() - start) / (double) perBatch);
      }
      double[] sorted = batches.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double median = sorted[sorted.length / 2];
      double p10 = sorted[sorted.length / 10];
      double p90 = sorted[sorted.length * 9 / 10];
      long memory = plugin.handle().memorySize().orElse(0L);
      boolean failed =
          !plugin.extension().events(io.proxywasm.spi.WasmEvent.RUNTIME_ERROR).isEmpty();
      if (o.json) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("runtime", runtime.name());
        report.put("requests", perBatch * BATCHES);
        report.put("perRequestNanos", Math.round(median));
        report.put("perRequestNanosP10", Math.round(p10));
        report.put("perRequestNanosP90", Math.round(p90));
        report.put("createNanos", createNanos);
        report.put("cloneNanos", cloneNanos);
        report.put("memoryBytes", memory);
        report.put("pluginFailed", failed);
        out.println(Json.write(report));
      } else {
        out.printf(
            "runtime %s, %d exchanges in %d batches%n",
            runtime.name(), perBatch * BATCHES, BATCHES);
        out.printf("per exchange: median %.0f ns (p10 %.0f, p90 %.0f)%n", median, p10, p90);
        out.printf("load (base VM and canary): %.2f ms%n", createNanos / 1e6);
        out.printf("start on a new worker (clone): %.2f ms%n", cloneNanos / 1e6);
        out.printf("VM memory: %d bytes%n", memory);
        if (failed) {
          out.println("the plugin failed during the run: see `proxy-wasm run` for why");
        }
      }
      return failed ? 1 : 0;
    }
  }

  private static void exchange(TestPlugin plugin, ProxyWasmCommand.Options o) {
    o.exchange(plugin).run();
    plugin.logs().clear();
  }

  /** Clones started on a fresh worker to warm up, before the ones timed. */
  private static final int CLONE_WARMUP = 2000;

  /**
   * Starts the plugin on a fresh worker (clones the base VM, starts and configures its root
   * context) many times once warm; the median.
   */
  private static long timeClone(TestPlugin plugin) {
    for (int i = 0; i < CLONE_WARMUP; i++) {
      try (var worker = plugin.host().newWorker()) {
        worker.handle(plugin.plugin()).rootContextId();
      }
    }
    long[] times = new long[101];
    for (int i = 0; i < times.length; i++) {
      long start = System.nanoTime();
      try (var worker = plugin.host().newWorker()) {
        worker.handle(plugin.plugin()).rootContextId();
        times[i] = System.nanoTime() - start;
      }
    }
    Arrays.sort(times);
    return times[times.length / 2];
  }
}

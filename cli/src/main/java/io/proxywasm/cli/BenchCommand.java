package io.proxywasm.cli;

import io.proxywasm.cli.ProxyWasmCommand.CommandFailure;
import io.proxywasm.cli.ProxyWasmCommand.Env;
import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmVmProvider;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code proxy-wasm bench}: what a plugin costs on the path a gateway pays. The plugin is loaded by
 * a {@link ProxyWasmHost} with a log sink that drops lines, and the exchange of {@code run} is
 * repeated on one {@link Worker} through {@link PluginHandle#newHttpStream} (a fresh stream and
 * fresh header maps each time, the VM reused), in batches; the report gives the median and spread
 * of the per-exchange time over batches, the time to load the plugin (base VM and canary) and to
 * start it on a new worker (a clone), and the VM's memory.
 *
 * <p>A quick look for plugin authors; JMH (benchmarks/) is the tool for figures to publish.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures what a plugin costs per HTTP exchange, as a gateway runs it.",
      "Repeats the exchange of run on one worker, as a gateway runs it (host worker, plugin"
          + " handle, HTTP stream, no log output), and reports the median time per exchange with"
          + " its spread, the load time, the time to start the plugin on a new worker, and the"
          + " VM's memory. For figures to publish, use the JMH benchmarks.",
      "Exit status: 0 ok, 1 the plugin failed during the run, 2 bad usage or a plugin that"
          + " cannot load."
    })
final class BenchCommand implements Callable<Integer> {
  private static final int BATCHES = 20;

  /** Clones started on a fresh worker to warm up, before the ones timed. */
  private static final int CLONE_WARMUP = 2000;

  private static final HttpStreamListener IGNORE = new HttpStreamListener() {};

  private final Env env;

  @Spec CommandSpec spec;

  @Mixin ExchangeOptions options;

  @Option(
      names = "--requests",
      paramLabel = "N",
      description = "Exchanges to time (default: ${DEFAULT-VALUE}).")
  int requests = 10_000;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      description = "Exchanges run first, not timed (default: ${DEFAULT-VALUE}).")
  int warmup = 2_000;

  BenchCommand(Env env) {
    this.env = env;
  }

  /** The exchange, prepared once: what a gateway has parsed before it calls the plugin. */
  private record Exchange(
      List<Header> requestHeaders,
      byte[] requestBody,
      List<Header> requestTrailers,
      List<Header> responseHeaders,
      byte[] responseBody,
      List<Header> responseTrailers) {}

  @Override
  public Integer call() {
    for (String[] check :
        new String[][] {
          {"--requests", Integer.toString(requests)},
          {"--warmup", Integer.toString(warmup)},
          {"--ticks", Integer.toString(options.ticks)}
        }) {
      if (Integer.parseInt(check[1]) < 0) {
        throw new ParameterException(
            spec.commandLine(), check[0] + " must not be negative: " + check[1]);
      }
    }
    ExchangeOptions.PluginCode code = options.pluginCode();
    List<WasmVmProvider> runtimes =
        ProxyWasmCommand.runtimes(env, options.common.runtime, code.code());
    Exchange exchange = exchange();
    ProxyWasmHost.Builder builder =
        ProxyWasmHost.builder()
            .runtimes(Runtimes.of(runtimes.toArray(new WasmVmProvider[0])))
            .logSink((p, l, m) -> {});
    code.offered().ifPresent(p -> builder.offer(p.name(), p));
    PluginConfig.Builder config =
        PluginConfig.builder("bench")
            .runtime(options.common.runtime == null ? "" : options.common.runtime)
            .code(code.code());
    options.configure(config);
    try (ProxyWasmHost host = builder.build()) {
      long loadStart = System.nanoTime();
      Plugin plugin;
      try {
        plugin = host.load(config.build());
      } catch (PluginLoadException e) {
        throw new CommandFailure(2, "cannot load " + options.plugin + ": " + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new CommandFailure(2, "invalid plugin configuration: " + e.getMessage());
      }
      long createNanos = System.nanoTime() - loadStart;
      try (plugin;
          Worker worker = host.newWorker()) {
        PluginHandle handle = worker.handle(plugin);
        if (handle.rootContextId().isEmpty()) {
          throw new CommandFailure(
              2, "cannot start " + options.plugin + " on a worker: 'proxy-wasm run' shows why");
        }
        boolean failed = false;
        for (int i = 0; i < options.ticks; i++) {
          failed |= !handle.tick();
        }
        for (int i = 0; i < warmup; i++) {
          failed |= run(handle, exchange);
        }
        long cloneNanos = timeClone(host, plugin);
        int perBatch = Math.max(1, requests / BATCHES);
        double[] batches = new double[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
          long start = System.nanoTime();
          for (int i = 0; i < perBatch; i++) {
            failed |= run(handle, exchange);
          }
          batches[b] = (System.nanoTime() - start) / (double) perBatch;
        }
        Arrays.sort(batches);
        Reports.Bench report =
            new Reports.Bench(
                plugin.info().runtime(),
                "embedder",
                perBatch * BATCHES,
                Math.round(batches[BATCHES / 2]),
                Math.round(batches[BATCHES / 10]),
                Math.round(batches[BATCHES * 9 / 10]),
                createNanos,
                cloneNanos,
                handle.memorySize().orElse(0L),
                failed);
        print(report);
        return failed ? 1 : 0;
      }
    }
  }

  private Exchange exchange() {
    String requestBody = options.requestBodyText();
    String responseBody = options.responseBodyText();
    HeaderMap response = HeaderMap.of(":status", "200");
    options.responseHeaders.forEach(
        h -> {
          if (h.getKey().equals(":status")) {
            response.set(h.getKey(), h.getValue());
          } else {
            response.add(h.getKey(), h.getValue());
          }
        });
    return new Exchange(
        List.copyOf(options.requestHeaders),
        requestBody == null ? null : requestBody.getBytes(StandardCharsets.UTF_8),
        List.copyOf(options.requestTrailers),
        response.entries(),
        responseBody == null ? null : responseBody.getBytes(StandardCharsets.UTF_8),
        List.copyOf(options.responseTrailers));
  }

  /**
   * One exchange as a gateway runs it: a new stream, the request and the response through it, the
   * access log, the stream closed.
   *
   * @return whether the plugin failed on this stream
   */
  private static boolean run(PluginHandle handle, Exchange x) {
    HttpStream stream = handle.newHttpStream(IGNORE);
    try {
      boolean requestTrailers = !x.requestTrailers().isEmpty();
      stream.onRequestHeaders(
          HeaderMap.of(x.requestHeaders()), x.requestBody() == null && !requestTrailers);
      if (x.requestBody() != null) {
        stream.onRequestBody(new BodyBuffer(x.requestBody()), !requestTrailers);
      }
      if (requestTrailers) {
        stream.onRequestTrailers(HeaderMap.of(x.requestTrailers()));
      }
      if (stream.localResponse().isEmpty()) {
        boolean responseTrailers = !x.responseTrailers().isEmpty();
        stream.onResponseHeaders(
            HeaderMap.of(x.responseHeaders()), x.responseBody() == null && !responseTrailers);
        if (x.responseBody() != null) {
          stream.onResponseBody(new BodyBuffer(x.responseBody()), !responseTrailers);
        }
        if (responseTrailers) {
          stream.onResponseTrailers(HeaderMap.of(x.responseTrailers()));
        }
      }
      stream.onLog();
      return stream.failure().isPresent();
    } finally {
      stream.close();
    }
  }

  /**
   * Starts the plugin on a fresh worker (clones the base VM, starts and configures its root
   * context) many times once warm; the median.
   */
  private static long timeClone(ProxyWasmHost host, Plugin plugin) {
    for (int i = 0; i < CLONE_WARMUP; i++) {
      try (Worker worker = host.newWorker()) {
        worker.handle(plugin).rootContextId();
      }
    }
    long[] times = new long[101];
    for (int i = 0; i < times.length; i++) {
      long start = System.nanoTime();
      try (Worker worker = host.newWorker()) {
        worker.handle(plugin).rootContextId();
        times[i] = System.nanoTime() - start;
      }
    }
    Arrays.sort(times);
    return times[times.length / 2];
  }

  private void print(Reports.Bench r) {
    if (options.common.json) {
      env.out().println(Reports.json(r));
      return;
    }
    env.out()
        .printf(
            "runtime %s, %d exchanges in %d batches, on the embedder path (worker, plugin handle,"
                + " HTTP stream)%n",
            r.runtime(), r.requests(), BATCHES);
    env.out()
        .printf(
            "per exchange: median %d ns (p10 %d, p90 %d)%n",
            r.perRequestNanos(), r.perRequestNanosP10(), r.perRequestNanosP90());
    env.out().printf("load (base VM and canary): %.2f ms%n", r.createNanos() / 1e6);
    env.out().printf("start on a new worker (clone): %.2f ms%n", r.cloneNanos() / 1e6);
    env.out().printf("VM memory: %d bytes%n", r.memoryBytes());
    if (r.pluginFailed()) {
      env.out().println("the plugin failed during the run: 'proxy-wasm run' shows why");
    }
  }
}

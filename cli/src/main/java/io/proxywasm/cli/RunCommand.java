package io.proxywasm.cli;

import io.proxywasm.cli.ProxyWasmCommand.CommandFailure;
import io.proxywasm.cli.ProxyWasmCommand.Env;
import io.proxywasm.host.HttpCallHandler;
import io.proxywasm.host.HttpCallRequest;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmResult;
import io.proxywasm.spi.WasmVmProvider;
import io.proxywasm.testkit.ExchangeResult;
import io.proxywasm.testkit.HttpExchange;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.RecordingExtension;
import io.proxywasm.testkit.RecordingLogSink;
import io.proxywasm.testkit.TcpConnection;
import io.proxywasm.testkit.TestPlugin;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code proxy-wasm run}: starts the plugin, runs its ticks, sends one HTTP exchange or TCP
 * connection through it (or nothing), and prints what it did. Exit 0 when it ran (a local reply or
 * a pause included), 1 when the plugin failed, 2 on bad usage or a plugin that cannot load.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs a plugin on one HTTP exchange, TCP connection or tick and prints what it did.",
      "Starts the plugin, runs --ticks, sends one HTTP exchange or TCP connection through it"
          + " (--stream), and prints its decisions, the headers and data after its changes, its"
          + " local reply, logs, metrics and callouts.",
      "Exit status: 0 it ran (a local reply or a pause included), 1 the plugin failed, 2 bad"
          + " usage or a plugin that cannot load."
    })
final class RunCommand implements Callable<Integer> {
  /** What goes through the plugin. */
  enum StreamKind {
    http,
    tcp,
    none
  }

  /** The options that describe an HTTP exchange. */
  private static final List<String> HTTP_ONLY =
      List.of(
          "--request-header",
          "--request-body",
          "--request-trailer",
          "--response-header",
          "--response-body",
          "--response-trailer");

  private final Env env;

  @Spec CommandSpec spec;

  @Mixin ExchangeOptions options;

  @Option(
      names = "--stream",
      paramLabel = "http|tcp|none",
      description =
          "What goes through the plugin: one HTTP exchange (default), one TCP connection"
              + " (--downstream-data, --upstream-data), or none: the plugin only starts and"
              + " ticks, as a root-only plugin (a ticker, a service) does.")
  StreamKind stream = StreamKind.http;

  @Option(
      names = "--downstream-data",
      paramLabel = "TEXT",
      description = "With --stream tcp: data from the client (repeatable), in order.")
  List<String> downstreamData = new ArrayList<>();

  @Option(
      names = "--upstream-data",
      paramLabel = "TEXT",
      description =
          "With --stream tcp: data from the server (repeatable), sent after the client's.")
  List<String> upstreamData = new ArrayList<>();

  @Option(
      names = {"--verbose", "--show-host-stats"},
      description =
          "Also prints the host's own stats (the VM memory gauge) and what the runtime logs at"
              + " info (PROXY_WASM_LOG_LEVEL=debug|trace for more).")
  boolean verbose;

  RunCommand(Env env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    if (verbose) {
      CommandLogging.verbose();
    }
    if (options.ticks < 0) {
      throw new ParameterException(
          spec.commandLine(), "--ticks must not be negative: " + options.ticks);
    }
    if (stream != StreamKind.tcp && (!downstreamData.isEmpty() || !upstreamData.isEmpty())) {
      throw new ParameterException(
          spec.commandLine(), "--downstream-data and --upstream-data need --stream tcp");
    }
    if (stream != StreamKind.http) {
      for (String httpOnly : HTTP_ONLY) {
        if (spec.commandLine().getParseResult().hasMatchedOption(httpOnly)) {
          throw new ParameterException(
              spec.commandLine(), httpOnly + " needs --stream http, not --stream " + stream);
        }
      }
    }
    ExchangeOptions.PluginCode code = options.pluginCode();
    List<WasmVmProvider> runtimes =
        ProxyWasmCommand.runtimes(env, options.common.runtime, code.code());
    List<Reports.HttpCall> httpCalls = new CopyOnWriteArrayList<>();
    HttpCallHandler recordAndRefuse =
        (HttpCallRequest request, HttpCallHandler.Callback callback) -> {
          httpCalls.add(
              new Reports.HttpCall(
                  request.upstream(),
                  Reports.pairs(request.headers()),
                  new String(request.body(), StandardCharsets.UTF_8),
                  request.timeout().toMillis()));
          return WasmResult.BAD_ARGUMENT; // the command has no upstreams
        };
    ProxyWasmTestKit kit =
        (options.common.runtime != null
                ? ProxyWasmTestKit.runtime(runtimes.get(0))
                : ProxyWasmTestKit.defaultRuntime(
                    Runtimes.of(runtimes.toArray(new WasmVmProvider[0]))))
            .plugin(code.code());
    code.offered().ifPresent(kit::javaPlugin);
    TestPlugin plugin;
    try {
      plugin =
          kit.httpCalls(recordAndRefuse)
              .config(
                  c -> {
                    options.configure(c);
                    c.logLevel(LogLevel.TRACE);
                  })
              .start();
    } catch (PluginLoadException e) {
      return loadFailure(e.failState().name(), e.getMessage());
    } catch (IllegalStateException e) {
      return loadFailure("START_FAILED", e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(2, "invalid plugin configuration: " + e.getMessage());
    }
    try (plugin) {
      int rootId = plugin.handle().rootContextId().orElse(0);
      int ticks = 0;
      for (; ticks < options.ticks; ticks++) {
        if (!plugin.handle().tick()) {
          break;
        }
        plugin.runDue();
      }
      plugin.runDue();
      Reports.Message request = null;
      Reports.Message response = null;
      Reports.LocalReply local = null;
      Reports.Tcp tcp = null;
      Optional<Reports.Failure> streamFailure = Optional.empty();
      if (stream == StreamKind.http) {
        ExchangeResult r = exchange(plugin).run();
        request =
            new Reports.Message(
                r.requestHeadersStatus().name(),
                Reports.pairs(r.requestHeaders()),
                new String(r.requestBody(), StandardCharsets.UTF_8),
                Reports.pairs(options.requestTrailers));
        Optional<LocalResponse> l = r.localResponse();
        if (l.isPresent()) {
          local =
              new Reports.LocalReply(
                  l.get().status(), Reports.pairs(l.get().headers()), l.get().bodyText());
        } else {
          response =
              new Reports.Message(
                  r.responseHeadersStatus().map(Enum::name).orElse(null),
                  Reports.pairs(r.responseHeaders()),
                  r.responseBodyText(),
                  Reports.pairs(options.responseTrailers));
        }
        streamFailure =
            r.failure()
                .map(f -> new Reports.Failure(f.state().name(), f.cause().name(), f.message()));
      } else if (stream == StreamKind.tcp) {
        tcp = tcp(plugin);
      }
      List<RecordingExtension.Event> failures = plugin.extension().events(WasmEvent.RUNTIME_ERROR);
      Reports.Failure failure =
          streamFailure.orElse(
              failures.isEmpty()
                  ? null
                  : new Reports.Failure(
                      FailState.RUNTIME_ERROR.name(), null, failures.get(0).message()));
      String runtime = plugin.plugin().info().runtime();
      String hostMemoryGauge = "wasm." + runtime + ".memory_size";
      List<Reports.MetricValue> metrics = new ArrayList<>();
      List<Reports.MetricValue> hostStats = new ArrayList<>();
      for (RecordingExtension.MetricValue v : plugin.extension().metricValues()) {
        String type = v.type().name().toLowerCase(Locale.ROOT);
        if (v.name().equals(hostMemoryGauge)) {
          hostStats.add(new Reports.MetricValue(v.name(), null, type, v.value()));
        } else {
          metrics.add(new Reports.MetricValue("wasmcustom." + v.name(), v.name(), type, v.value()));
        }
      }
      List<Reports.LogLine> logs = new ArrayList<>();
      for (RecordingLogSink.Line line : plugin.logs().lines()) {
        logs.add(new Reports.LogLine(line.level().name().toLowerCase(Locale.ROOT), line.message()));
      }
      Reports.Run report =
          new Reports.Run(
              stream.name(),
              runtime,
              rootId == 0 ? null : rootId,
              ticks,
              request,
              response,
              local,
              tcp,
              logs,
              metrics,
              verbose ? hostStats : null,
              List.copyOf(httpCalls),
              failure);
      if (options.common.json) {
        env.out().println(Reports.json(report));
      } else {
        printText(report, env.out());
      }
      return failure == null ? 0 : 1;
    }
  }

  /** The HTTP exchange the options describe. */
  private HttpExchange exchange(TestPlugin plugin) {
    HttpExchange exchange = plugin.http();
    options.requestHeaders.forEach(h -> exchange.requestHeader(h.getKey(), h.getValue()));
    options.requestTrailers.forEach(h -> exchange.requestTrailer(h.getKey(), h.getValue()));
    options.responseHeaders.forEach(h -> exchange.responseHeader(h.getKey(), h.getValue()));
    options.responseTrailers.forEach(h -> exchange.responseTrailer(h.getKey(), h.getValue()));
    String requestBody = options.requestBodyText();
    if (requestBody != null) {
      exchange.requestBody(requestBody);
    }
    String responseBody = options.responseBodyText();
    if (responseBody != null) {
      exchange.responseBody(responseBody);
    }
    return exchange;
  }

  /** One TCP connection: the client's data, then the server's, then the client closes. */
  private Reports.Tcp tcp(TestPlugin plugin) {
    List<Reports.TcpChunk> chunks = new ArrayList<>();
    try (TcpConnection connection = plugin.tcp()) {
      for (String data : downstreamData) {
        TcpConnection.Chunk c = connection.downstream(data, false);
        chunks.add(new Reports.TcpChunk("downstream", data, c.status().name(), c.text()));
      }
      for (String data : upstreamData) {
        TcpConnection.Chunk c = connection.upstream(data, false);
        chunks.add(new Reports.TcpChunk("upstream", data, c.status().name(), c.text()));
      }
      List<String> resumed = new ArrayList<>();
      connection.resumed().forEach(d -> resumed.add(d.name()));
      List<String> closed = new ArrayList<>();
      connection.closedByPlugin().forEach(d -> closed.add(d.name()));
      return new Reports.Tcp(connection.newConnectionStatus().name(), chunks, resumed, closed);
    }
  }

  private int loadFailure(String kind, String message) {
    if (options.common.json) {
      env.out()
          .println(Reports.json(new Reports.LoadFailure(new Reports.Failure(kind, null, message))));
    }
    throw new CommandFailure(2, "cannot load " + options.plugin + ": " + message);
  }

  private static String quoted(String text) {
    return Reports.json(text);
  }

  private static void printText(Reports.Run r, PrintStream out) {
    if (r.request() != null) {
      out.println("request: " + r.request().action());
      r.request().headers().forEach(h -> out.println("  " + h.get(0) + ": " + h.get(1)));
      if (!r.request().body().isEmpty()) {
        out.println("  body: " + quoted(r.request().body()));
      }
    }
    if (r.localResponse() != null) {
      out.println(
          "local reply: "
              + r.localResponse().status()
              + " (the plugin answered the request itself; the upstream was not called)");
      r.localResponse().headers().forEach(h -> out.println("  " + h.get(0) + ": " + h.get(1)));
      out.println("  body: " + quoted(r.localResponse().body()));
    } else if (r.response() != null) {
      out.println("response: " + r.response().action());
      r.response().headers().forEach(h -> out.println("  " + h.get(0) + ": " + h.get(1)));
      if (!r.response().body().isEmpty()) {
        out.println("  body: " + quoted(r.response().body()));
      }
    }
    if (r.tcp() != null) {
      out.println("new connection: " + r.tcp().newConnection());
      for (Reports.TcpChunk c : r.tcp().chunks()) {
        out.println(
            c.direction()
                + " data "
                + quoted(c.sent())
                + ": "
                + c.action()
                + ", now "
                + quoted(c.data()));
      }
      if (!r.tcp().resumed().isEmpty()) {
        out.println("resumed by the plugin: " + String.join(", ", r.tcp().resumed()));
      }
      if (!r.tcp().closedByPlugin().isEmpty()) {
        out.println("closed by the plugin: " + String.join(", ", r.tcp().closedByPlugin()));
      }
    }
    if (r.stream().equals("none")) {
      out.println(
          "started the plugin"
              + (r.rootContextId() != null ? " (root context #" + r.rootContextId() + ")" : "")
              + ", ran "
              + r.ticks()
              + (r.ticks() == 1 ? " tick" : " ticks")
              + "; no stream (--stream none)");
    }
    if (!r.logs().isEmpty()) {
      out.println("logs" + legend(r) + ":");
      r.logs().forEach(l -> out.println("  " + l.level() + " " + l.message()));
    }
    if (!r.metrics().isEmpty()) {
      out.println("metrics (as Envoy's stats name them):");
      r.metrics().forEach(m -> out.println("  " + m.name() + " (" + m.type() + ") = " + m.value()));
    }
    if (r.hostStats() != null && !r.hostStats().isEmpty()) {
      out.println("host stats:");
      r.hostStats()
          .forEach(m -> out.println("  " + m.name() + " (" + m.type() + ") = " + m.value()));
    }
    for (Reports.HttpCall call : r.httpCalls()) {
      out.println(
          "http callout to "
              + call.upstream()
              + " refused (this command has no upstreams): "
              + Reports.json(call));
    }
    if (r.failure() != null) {
      out.println("failure: " + r.failure().message());
    }
    out.println();
    out.println(
        "next: --json prints this for scripts; 'proxy-wasm inspect FILE' checks a module's");
    out.println("      ABI and imports; docs/testing-plugins.md turns this run into a JUnit test.");
  }

  /** What a {@code #N} in the plugin's log lines means. */
  private static String legend(Reports.Run r) {
    if (r.rootContextId() == null || r.logs().stream().noneMatch(l -> l.message().contains("#"))) {
      return "";
    }
    int root = r.rootContextId();
    String stream =
        r.stream().equals("http")
            ? ", #" + (root + 1) + " is this HTTP stream"
            : r.stream().equals("tcp") ? ", #" + (root + 1) + " is this TCP connection" : "";
    return " (#N is a context id: #" + root + " is the plugin's root context" + stream + ")";
  }
}

package io.proxywasm.cli;

import io.proxywasm.host.HostImports;
import io.proxywasm.host.HttpCallHandler;
import io.proxywasm.host.HttpCallRequest;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionExport;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.ProviderLookupException;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmResult;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.WasmVmProvider;
import io.proxywasm.testkit.ExchangeResult;
import io.proxywasm.testkit.HttpExchange;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.RecordingExtension;
import io.proxywasm.testkit.RecordingLogSink;
import io.proxywasm.testkit.TestPlugin;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@code proxy-wasm} command.
 *
 * <ul>
 *   <li>{@code proxy-wasm run --plugin FILE [options]}: runs one HTTP exchange through a plugin and
 *       prints what it did. Exit 0 when the exchange ran (a local reply or a pause is still 0), 1
 *       when the plugin failed, 2 on bad usage or a module that cannot load.
 *   <li>{@code proxy-wasm inspect FILE [--json]}: the module's ABI version and imports, and whether
 *       this host can load it. Exit 0 loadable, 2 not.
 * </ul>
 */
public final class ProxyWasmCommand {
  private static final String USAGE =
      String.join(
          "\n",
          "usage: proxy-wasm run --plugin FILE|java:NAME [--runtime NAME] [--plugin-config TEXT|@FILE]",
          "                      [--vm-config TEXT|@FILE] [--root-id ID] [--vm-id ID]",
          "                      [--request-header NAME=VALUE]... [--request-body TEXT|@FILE]",
          "                      [--request-trailer NAME=VALUE]... [--response-header NAME=VALUE]...",
          "                      [--response-body TEXT|@FILE] [--response-trailer NAME=VALUE]...",
          "                      [--ticks N] [--json]",
          "       proxy-wasm inspect FILE [--runtime NAME] [--json]",
          "       proxy-wasm bench (the options of run) [--requests N] [--warmup N]",
          "",
          "run      runs one HTTP exchange through the plugin and prints what it did",
          "bench    runs the exchange repeatedly on one worker and reports what it costs",
          "inspect  prints a module's ABI version and imports, and whether this host can load it",
          "");

  private ProxyWasmCommand() {}

  /**
   * Runs the command and exits with its status.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** A command-line mistake, reported with the usage and exit status 2. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /**
   * Runs the command.
   *
   * @param args the command line
   * @param out where results go
   * @param err where errors go
   * @return the exit status
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
        out.print(USAGE);
        return args.length == 0 ? 2 : 0;
      }
      List<String> rest = List.of(args).subList(1, args.length);
      if (rest.contains("--help")) {
        out.print(USAGE);
        return 0;
      }
      switch (args[0]) {
        case "run":
          return runExchange(Options.parse(rest, true), out, err);
        case "inspect":
          return inspect(Options.parse(rest, false), out, err);
        case "bench":
          return Bench.run(Options.parse(rest, true), out, err);
        default:
          throw new UsageException("unknown command '" + args[0] + "'");
      }
    } catch (UsageException e) {
      err.println("proxy-wasm: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
  }

  /** The parsed options of both commands. */
  static final class Options {
    String plugin;
    String runtime;
    String pluginConfig = "";
    String vmConfig = "";
    String rootId = "";
    String vmId = "";
    final List<String[]> requestHeaders = new ArrayList<>();
    final List<String[]> requestTrailers = new ArrayList<>();
    final List<String[]> responseHeaders = new ArrayList<>();
    final List<String[]> responseTrailers = new ArrayList<>();
    String requestBody;
    String responseBody;
    int ticks;
    int requests = 10_000;
    int warmup = 2_000;
    boolean json;

    static Options parse(List<String> args, boolean run) throws UsageException {
      Options o = new Options();
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (a.equals("--json")) {
          o.json = true;
          continue;
        }
        if (!a.startsWith("--")) {
          if (run || o.plugin != null) {
            throw new UsageException("unexpected argument '" + a + "'");
          }
          o.plugin = a;
          continue;
        }
        if (i + 1 >= args.size()) {
          throw new UsageException(a + " needs a value");
        }
        String v = args.get(++i);
        switch (run ? a : a.equals("--runtime") ? a : "") {
          case "--plugin":
            o.plugin = v;
            break;
          case "--runtime":
            o.runtime = v;
            break;
          case "--plugin-config":
            o.pluginConfig = text(a, v);
            break;
          case "--vm-config":
            o.vmConfig = text(a, v);
            break;
          case "--root-id":
            o.rootId = v;
            break;
          case "--vm-id":
            o.vmId = v;
            break;
          case "--request-header":
            o.requestHeaders.add(pair(a, v));
            break;
          case "--request-trailer":
            o.requestTrailers.add(pair(a, v));
            break;
          case "--response-header":
            o.responseHeaders.add(pair(a, v));
            break;
          case "--response-trailer":
            o.responseTrailers.add(pair(a, v));
            break;
          case "--request-body":
            o.requestBody = text(a, v);
            break;
          case "--response-body":
            o.responseBody = text(a, v);
            break;
          case "--ticks":
            o.ticks = count(a, v);
            break;
          case "--requests":
            o.requests = Math.max(1, count(a, v));
            break;
          case "--warmup":
            o.warmup = count(a, v);
            break;
          default:
            throw new UsageException("unknown option " + a);
        }
      }
      if (o.plugin == null) {
        throw new UsageException(run ? "--plugin is required" : "inspect needs a FILE");
      }
      return o;
    }

    /** The exchange these options describe, on the given plugin. */
    HttpExchange exchange(TestPlugin plugin) {
      HttpExchange exchange = plugin.http();
      requestHeaders.forEach(h -> exchange.requestHeader(h[0], h[1]));
      requestTrailers.forEach(h -> exchange.requestTrailer(h[0], h[1]));
      responseHeaders.forEach(h -> exchange.responseHeader(h[0], h[1]));
      responseTrailers.forEach(h -> exchange.responseTrailer(h[0], h[1]));
      if (requestBody != null) {
        exchange.requestBody(requestBody);
      }
      if (responseBody != null) {
        exchange.responseBody(responseBody);
      }
      return exchange;
    }

    private static int count(String option, String value) throws UsageException {
      int n;
      try {
        n = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new UsageException(option + " needs a number, not '" + value + "'");
      }
      if (n < 0) {
        throw new UsageException(option + " must not be negative: " + value);
      }
      return n;
    }

    private static String[] pair(String option, String value) throws UsageException {
      int eq = value.indexOf('=', value.startsWith(":") ? 1 : 0);
      if (eq <= 0) {
        throw new UsageException(option + " takes NAME=VALUE, not '" + value + "'");
      }
      return new String[] {value.substring(0, eq), value.substring(eq + 1)};
    }

    private static String text(String option, String value) throws UsageException {
      if (!value.startsWith("@")) {
        return value;
      }
      try {
        return Files.readString(Path.of(value.substring(1)), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UsageException(option + ": cannot read " + value.substring(1) + ": " + e);
      }
    }
  }

  static byte[] readPlugin(Options o) throws UsageException {
    if (o.plugin.startsWith(Runtimes.JAVA_PLUGIN_PREFIX)) {
      return o.plugin.getBytes(StandardCharsets.UTF_8);
    }
    try {
      return Files.readAllBytes(Path.of(o.plugin));
    } catch (IOException e) {
      throw new UsageException("cannot read plugin " + o.plugin + ": " + e);
    }
  }

  static WasmVmProvider runtime(Options o) throws UsageException {
    try {
      Runtimes runtimes = Runtimes.discover();
      if (o.runtime != null) {
        return runtimes.get(o.runtime);
      }
      return o.plugin != null && o.plugin.startsWith(Runtimes.JAVA_PLUGIN_PREFIX)
          ? runtimes.preferredFor(o.plugin.getBytes(StandardCharsets.UTF_8))
          : runtimes.preferred();
    } catch (ProviderLookupException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static int runExchange(Options o, PrintStream out, PrintStream err)
      throws UsageException {
    byte[] code = readPlugin(o);
    WasmVmProvider runtime = runtime(o);
    List<Map<String, Object>> httpCalls = new CopyOnWriteArrayList<>();
    HttpCallHandler recordAndRefuse =
        (HttpCallRequest request, HttpCallHandler.Callback callback) -> {
          Map<String, Object> call = new LinkedHashMap<>();
          call.put("upstream", request.upstream());
          call.put("headers", pairs(request.headers()));
          call.put("body", new String(request.body(), StandardCharsets.UTF_8));
          call.put("timeoutMillis", request.timeout().toMillis());
          httpCalls.add(call);
          return WasmResult.BAD_ARGUMENT; // the command has no upstreams
        };
    TestPlugin plugin;
    try {
      plugin =
          ProxyWasmTestKit.runtime(runtime)
              .plugin(code)
              .httpCalls(recordAndRefuse)
              .config(
                  c ->
                      c.rootId(o.rootId)
                          .vmId(o.vmId)
                          .pluginConfiguration(o.pluginConfig)
                          .vmConfiguration(o.vmConfig)
                          .logLevel(LogLevel.TRACE))
              .start();
    } catch (PluginLoadException | IllegalStateException e) {
      String kind =
          e instanceof PluginLoadException
              ? ((PluginLoadException) e).failState().name()
              : "START_FAILED";
      return loadFailure(o, kind, e.getMessage(), out, err);
    }
    try (plugin) {
      for (int i = 0; i < o.ticks; i++) {
        plugin.handle().tick();
      }
      ExchangeResult result = o.exchange(plugin).run();
      List<RecordingExtension.Event> failures = plugin.extension().events(WasmEvent.RUNTIME_ERROR);
      Map<String, Object> report = report(o, result, plugin, httpCalls, failures);
      if (o.json) {
        out.println(Json.write(report));
      } else {
        printText(report, result, out);
      }
      return failures.isEmpty() ? 0 : 1;
    }
  }

  private static int loadFailure(
      Options o, String kind, String message, PrintStream out, PrintStream err) {
    if (o.json) {
      Map<String, Object> failure = new LinkedHashMap<>();
      failure.put("kind", kind);
      failure.put("cause", null);
      failure.put("message", message);
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("failure", failure);
      out.println(Json.write(report));
    }
    err.println("proxy-wasm: cannot load " + o.plugin + ": " + message);
    return 2;
  }

  private static List<List<String>> pairs(List<Map.Entry<String, String>> entries) {
    List<List<String>> out = new ArrayList<>();
    entries.forEach(e -> out.add(List.of(e.getKey(), e.getValue())));
    return out;
  }

  private static List<List<String>> rawPairs(List<String[]> raw) {
    List<List<String>> out = new ArrayList<>();
    raw.forEach(p -> out.add(List.of(p[0], p[1])));
    return out;
  }

  private static Map<String, Object> report(
      Options o,
      ExchangeResult r,
      TestPlugin plugin,
      List<Map<String, Object>> httpCalls,
      List<RecordingExtension.Event> failures) {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("action", r.requestHeadersStatus().name());
    request.put("headers", pairs(r.requestHeaders()));
    request.put("body", new String(r.requestBody(), StandardCharsets.UTF_8));
    request.put("trailers", rawPairs(o.requestTrailers));
    Map<String, Object> response = new LinkedHashMap<>();
    response.put("action", r.responseHeadersStatus().map(Enum::name).orElse(null));
    response.put("headers", pairs(r.responseHeaders()));
    response.put("body", r.responseBodyText());
    response.put("trailers", rawPairs(o.responseTrailers));
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("request", request);
    report.put("response", response);
    Optional<LocalResponse> local = r.localResponse();
    report.put(
        "localResponse",
        local
            .<Object>map(
                l -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("status", l.status());
                  m.put("headers", pairs(l.headers()));
                  m.put("body", l.bodyText());
                  return m;
                })
            .orElse(null));
    List<Object> logs = new ArrayList<>();
    for (RecordingLogSink.Line line : plugin.logs().lines()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("level", line.level().name().toLowerCase(java.util.Locale.ROOT));
      m.put("message", line.message());
      logs.add(m);
    }
    report.put("logs", logs);
    List<Object> metrics = new ArrayList<>();
    for (RecordingExtension.MetricValue v : plugin.extension().metricValues()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", v.name());
      m.put("type", v.type().name().toLowerCase(java.util.Locale.ROOT));
      m.put("value", v.value());
      metrics.add(m);
    }
    report.put("metrics", metrics);
    report.put("httpCalls", List.copyOf(httpCalls));
    if (failures.isEmpty()) {
      report.put("failure", null);
    } else {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("kind", FailState.RUNTIME_ERROR.name());
      f.put("cause", r.failure().map(x -> x.cause().name()).orElse(null));
      f.put("message", r.failure().map(x -> x.message()).orElse(failures.get(0).message()));
      report.put("failure", f);
    }
    return report;
  }

  @SuppressWarnings("unchecked")
  private static void printText(Map<String, Object> report, ExchangeResult r, PrintStream out) {
    out.println("request: " + r.requestHeadersStatus());
    r.requestHeaders().forEach(h -> out.println("  " + h.getKey() + ": " + h.getValue()));
    Object local = report.get("localResponse");
    if (local != null) {
      Map<String, Object> l = (Map<String, Object>) local;
      out.println("local response: " + l.get("status"));
      ((List<List<String>>) l.get("headers"))
          .forEach(h -> out.println("  " + h.get(0) + ": " + h.get(1)));
      out.println("  body: " + Json.write(l.get("body")));
    } else {
      out.println("response: " + r.responseHeadersStatus().map(Enum::name).orElse("-"));
      r.responseHeaders().forEach(h -> out.println("  " + h.getKey() + ": " + h.getValue()));
    }
    out.println("logs:");
    for (Object line : (List<Object>) report.get("logs")) {
      Map<String, Object> m = (Map<String, Object>) line;
      out.println("  " + m.get("level") + " " + m.get("message"));
    }
    for (Object metric : (List<Object>) report.get("metrics")) {
      Map<String, Object> m = (Map<String, Object>) metric;
      out.println("metric " + m.get("name") + " (" + m.get("type") + ") = " + m.get("value"));
    }
    for (Object call : (List<Object>) report.get("httpCalls")) {
      out.println("http call (refused: no upstreams here): " + Json.write(call));
    }
    Object failure = report.get("failure");
    if (failure != null) {
      out.println("failure: " + ((Map<String, Object>) failure).get("message"));
    }
  }

  private static int inspect(Options o, PrintStream out, PrintStream err) throws UsageException {
    byte[] code = readPlugin(o);
    WasmVmProvider runtime = runtime(o);
    List<String> problems = new ArrayList<>();
    Optional<AbiVersion> abi = Optional.empty();
    List<FunctionImport> imports = List.of();
    List<FunctionExport> exports = List.of();
    try (WasmVm vm = runtime.create(quietIntegration())) {
      vm.load(code);
      abi = vm.abiVersion();
      imports = vm.functionImports();
      exports = vm.functionExports();
    } catch (WasmException e) {
      problems.add(e.getMessage());
    }
    if (problems.isEmpty() && abi.isEmpty()) {
      problems.add("Missing or unknown Proxy-Wasm ABI version");
    }
    if (abi.isPresent()) {
      Map<String, FunctionImport> offered = new LinkedHashMap<>();
      HostImports.offered(abi.get()).forEach(f -> offered.put(f.qualifiedName(), f));
      for (FunctionImport imp : imports) {
        FunctionImport host = offered.get(imp.qualifiedName());
        if (host == null) {
          problems.add("missing import: " + imp.qualifiedName());
        } else if (!host.type().equals(imp.type())) {
          problems.add(
              "import type mismatch: "
                  + imp.qualifiedName()
                  + ", want: "
                  + imp.type()
                  + ", but host exports: "
                  + host.type());
        }
      }
      Map<String, List<FunctionType>> wanted = new LinkedHashMap<>();
      HostImports.expected(abi.get())
          .forEach(e -> wanted.computeIfAbsent(e.name(), n -> new ArrayList<>()).add(e.type()));
      for (FunctionExport exp : exports) {
        List<FunctionType> types = wanted.get(exp.name());
        if (types != null && !types.contains(exp.type())) {
          problems.add(
              "Bad function signature for: "
                  + exp.name()
                  + ", want: "
                  + types.get(0)
                  + ", but the module exports: "
                  + exp.type());
        }
      }
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("file", o.plugin);
    report.put("abiVersion", abi.map(AbiVersion::toString).orElse(null));
    List<Object> importList = new ArrayList<>();
    for (FunctionImport imp : imports) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("module", imp.module());
      m.put("name", imp.name());
      m.put("type", imp.type().toString());
      importList.add(m);
    }
    report.put("imports", importList);
    List<Object> exportList = new ArrayList<>();
    for (FunctionExport exp : exports) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", exp.name());
      m.put("type", exp.type().toString());
      exportList.add(m);
    }
    report.put("exports", exportList);
    report.put("loadable", problems.isEmpty());
    report.put("problems", problems);
    if (o.json) {
      out.println(Json.write(report));
    } else {
      out.println(o.plugin + ": ABI " + abi.map(AbiVersion::toString).orElse("unknown"));
      for (FunctionImport imp : imports) {
        out.println("  import " + imp.qualifiedName() + " " + imp.type());
      }
      for (FunctionExport exp : exports) {
        out.println("  export " + exp.name() + " " + exp.type());
      }
      out.println(problems.isEmpty() ? "loadable" : "not loadable:");
      problems.forEach(p -> out.println("  " + p));
    }
    return problems.isEmpty() ? 0 : 2;
  }

  private static WasmVmIntegration quietIntegration() {
    return (state, message) -> {};
  }
}

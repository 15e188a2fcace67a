package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.LogSink;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints what the JVM side of {@code benchmarks/v8/compare.sh} does in one exchange, for the script
 * to compare with what {@code host.mjs} prints with {@code PRINT_LOGS=1}: the lines a plugin logs
 * at info and above (what the host decodes), how many lines below info it dropped unread, the
 * response headers as the plugin left them and the request decision; for a Go program, what one run
 * printed.
 *
 * <pre>java -cp benchmarks.jar io.proxywasm.benchmarks.V8CompareCheck RUNTIME MODULE...</pre>
 */
public final class V8CompareCheck {
  private V8CompareCheck() {}

  /**
   * Runs one exchange (or one Go run) per module and prints, per module, a line {@code == MODULE}
   * and then what it logged or printed.
   *
   * @param args the runtime, then module names under plugins/wasm
   * @throws Exception if a module cannot be loaded or fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: V8CompareCheck RUNTIME MODULE...");
      System.exit(2);
    }
    String runtime = args[0];
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < args.length; i++) {
      String module = args[i];
      out.append("== ").append(module).append('\n');
      if (module.startsWith("go-js-")) {
        try (GoJsProgram program = new GoJsProgram(runtime, BenchmarkDefaults.corpus(module))) {
          out.append(program.run());
        }
        out.append('\n');
        continue;
      }
      List<String> lines = new ArrayList<>();
      int[] dropped = {0};
      boolean[] capture = {false};
      LogSink sink =
          new LogSink() {
            @Override
            public void log(PluginInfo plugin, LogLevel level, String message) {
              if (capture[0] && level.code() >= LogLevel.INFO.code()) {
                lines.add(message);
              }
            }

            @Override
            public void dropped(PluginInfo plugin, LogLevel level, LogLevel pluginLevel) {
              if (capture[0]) {
                dropped[0]++;
              }
            }
          };
      try (EmbedderExchange exchange = EmbedderExchange.corpus(module, runtime, sink)) {
        HeaderMap response = BenchmarkDefaults.responseHeaders();
        capture[0] = true;
        FilterHeadersStatus status = exchange.run(V8CompareBenchmark.sentRequest(), response);
        capture[0] = false;
        for (String line : lines) {
          out.append(line).append('\n');
        }
        out.append("lines dropped below info: ").append(dropped[0]).append('\n');
        List<String> names = new ArrayList<>();
        for (int h = 0; h < response.size(); h++) {
          names.add(response.name(h));
        }
        out.append("response headers after the exchange: ")
            .append(String.join(" ", names))
            .append('\n');
        out.append("request headers: ").append(status).append('\n');
      }
    }
    System.out.print(out);
  }
}

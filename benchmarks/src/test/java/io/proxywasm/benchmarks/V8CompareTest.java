package io.proxywasm.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.LogLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

/**
 * The JVM side of the V8 comparison: the plugin lists of {@code benchmarks/v8/compare.sh} and the
 * benchmarks agree, every plugin runs its exchange, the SDK plugins get the root_id they need, a
 * plugin's changes to the headers do not leak into the next exchange, and a Go-shaped program runs
 * again and again on fresh instances.
 */
class V8CompareTest {
  private static final String RUNTIME = "chicory-compiler";

  private static List<String> params(Class<?> benchmark) throws Exception {
    return Arrays.stream(benchmark.getField("plugin").getAnnotation(Param.class).value())
        .map(p -> p.substring(0, p.length() - ".wasm".length()))
        .toList();
  }

  @Test
  void theScriptRunsExactlyThePluginsOfTheBenchmarks() throws Exception {
    Path script =
        Path.of(System.getProperty("proxywasm.plugins.dir", "plugins"))
            .resolveSibling("benchmarks")
            .resolve("v8/compare.sh");
    Matcher m = Pattern.compile("(?s)PLUGINS=\\((.*?)\\)").matcher(Files.readString(script));
    assertTrue(m.find(), "compare.sh has a PLUGINS list");
    List<String> inScript = List.of(m.group(1).trim().split("\\s+"));
    List<String> benchmarked = new ArrayList<>(params(V8CompareBenchmark.class));
    benchmarked.addAll(params(V8CompareGoBenchmark.class));
    assertEquals(benchmarked, inScript);
  }

  @Test
  void everyPluginContinuesTheRequestAndTheSdkPluginsDoTheirWork() throws Exception {
    for (String plugin : params(V8CompareBenchmark.class)) {
      List<String> lines = new ArrayList<>();
      try (EmbedderExchange exchange =
          EmbedderExchange.corpus(
              plugin + ".wasm",
              RUNTIME,
              (p, level, message) -> {
                if (level.code() >= LogLevel.INFO.code()) {
                  lines.add(message);
                }
              })) {
        lines.clear(); // what the root context logged while starting
        HeaderMap response = BenchmarkDefaults.responseHeaders();
        FilterHeadersStatus status = exchange.run(V8CompareBenchmark.sentRequest(), response);
        assertEquals(FilterHeadersStatus.CONTINUE, status, plugin);
        if (plugin.endsWith("-http-headers") && !plugin.startsWith("c-")) {
          boolean adds = plugin.startsWith("rust-") || plugin.startsWith("cpp-");
          assertEquals(adds ? 3 : 2, response.size(), plugin + ": " + response);
        }
        if (plugin.endsWith("-properties")) {
          assertTrue(
              lines.stream().anyMatch(l -> l.endsWith("plugin_root_id = properties")),
              plugin + ": " + lines);
          assertTrue(
              lines.stream().anyMatch(l -> l.endsWith("request.path = /api/items?page=2")),
              plugin + ": " + lines);
        }
        if (plugin.endsWith("-early-close")) {
          assertTrue(
              lines.stream()
                  .anyMatch(l -> l.endsWith("#2 log, path /api/items?page=2, status 200")),
              plugin + ": " + lines);
        }
      }
    }
  }

  @Test
  void theBenchmarkPutsChangedHeadersBack() throws Exception {
    V8CompareBenchmark benchmark = new V8CompareBenchmark();
    benchmark.runtime = RUNTIME;
    benchmark.plugin = "rust-http-headers.wasm";
    benchmark.startExchange();
    try {
      for (int i = 0; i < 3; i++) {
        assertEquals(FilterHeadersStatus.CONTINUE, benchmark.request());
      }
      HeaderMap response = BenchmarkDefaults.responseHeaders();
      EmbedderExchange.restore(response, BenchmarkDefaults.responseHeaders());
      assertEquals(2, response.size());
      response.add("x-proxy-wasm-sdk", "rust");
      EmbedderExchange.restore(response, BenchmarkDefaults.responseHeaders());
      assertEquals(BenchmarkDefaults.responseHeaders().view(), response.view());
    } finally {
      benchmark.closeExchange();
    }
  }

  @Test
  void aGoProgramRunsToItsExitOnEveryFreshInstance() throws Exception {
    try (GoJsProgram program =
        new GoJsProgram(RUNTIME, BenchmarkDefaults.corpus("go-js-statemachine.wasm"))) {
      String first = program.run();
      assertTrue(first.startsWith("tokens=950 errors=0 depth=250"), first);
      assertEquals(first, program.run());
    }
  }
}

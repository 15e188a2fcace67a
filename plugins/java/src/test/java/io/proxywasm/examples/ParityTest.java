package io.proxywasm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.ServicePlugin;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.MetricType;
import io.proxywasm.testkit.ExchangeResult;
import io.proxywasm.testkit.ManualClock;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.RecordingLogSink;
import io.proxywasm.testkit.TestPlugin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each Java example and its wasm twin from {@code plugins/} give the same observable result for the
 * same scenario: actions, headers after mutation, local replies, and log lines with levels.
 */
class ParityTest {
  private static Path corpus(String name) {
    return Path.of(System.getProperty("proxywasm.plugins.dir", "../../plugins"), "wasm", name);
  }

  private static ProxyWasmTestKit wasm(String file) {
    return ProxyWasmTestKit.runtime("chicory-compiler").plugin(corpus(file));
  }

  private static ProxyWasmTestKit java(String name) {
    return ProxyWasmTestKit.runtime("null").javaPlugin(name);
  }

  /** What a test can observe of an exchange, in a comparable form. */
  private record Observed(
      String requestAction,
      Optional<String> responseAction,
      List<?> requestHeaders,
      List<?> responseHeaders,
      String responseBody,
      Optional<String> localResponse,
      List<String> logs) {
    static Observed of(ExchangeResult r) {
      return new Observed(
          r.requestHeadersStatus().name(),
          r.responseHeadersStatus().map(Enum::name),
          r.requestHeaders(),
          r.responseHeaders(),
          new String(r.responseBody(), StandardCharsets.UTF_8),
          r.localResponse().map(ParityTest::describe),
          r.logs().stream().map(RecordingLogSink.Line::toString).toList());
    }
  }

  private static String describe(LocalResponse l) {
    return l.status() + " " + l.headers() + " " + l.bodyText() + " grpc=" + l.grpcStatus();
  }

  private static Observed exchange(TestPlugin plugin, String path) {
    return Observed.of(
        plugin
            .http()
            .requestHeader(":path", path)
            .requestHeader(":method", "GET")
            .responseHeader("server", "test")
            .responseBody("upstream")
            .run());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/hello", "/other", "/hello/not"})
  void httpHeadersMatchesItsWasmTwin(String path) throws Exception {
    try (TestPlugin c =
            wasm("c-http-headers.wasm").config(b -> b.logLevel(LogLevel.TRACE)).start();
        TestPlugin j = java("http-headers").config(b -> b.logLevel(LogLevel.TRACE)).start()) {
      for (int round = 0; round < 2; round++) {
        Observed fromC = exchange(c, path);
        Observed fromJava = exchange(j, path);
        assertEquals(fromC, fromJava, "round " + round + " of " + path);
        assertTrue(fromJava.logs().size() >= 3, fromJava.logs().toString());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/hello", "/other"})
  void httpHeadersMatchesTheAssemblyScriptSdkTwinOnWhatBothDo(String path) throws Exception {
    try (TestPlugin as =
            wasm("as-http-headers.wasm")
                .config(b -> b.rootId("http_headers").pluginConfiguration("{}"))
                .start();
        TestPlugin j = java("http-headers").start()) {
      Observed fromAs = exchange(as, path);
      Observed fromJava = exchange(j, path);
      assertEquals(fromAs.requestAction(), fromJava.requestAction());
      assertEquals(fromAs.responseAction(), fromJava.responseAction());
      assertEquals(fromAs.localResponse(), fromJava.localResponse());
      assertEquals(fromAs.responseHeaders(), fromJava.responseHeaders());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 3})
  void helloWorldMatchesItsWasmTwin(int ticks) throws Exception {
    ManualClock cClock = new ManualClock(Instant.ofEpochSecond(1_700_000_000L, 123));
    ManualClock jClock = new ManualClock(Instant.ofEpochSecond(1_700_000_000L, 123));
    try (TestPlugin c = wasm("c-hello-world.wasm").clock(cClock).start();
        TestPlugin j = java("hello-world").clock(jClock).start()) {
      for (int i = 0; i < ticks; i++) {
        c.advance(Duration.ofSeconds(5));
        j.advance(Duration.ofSeconds(5));
      }
      assertEquals(lines(c), lines(j));
      assertEquals(
          ticks,
          lines(j).stream().filter(l -> l.startsWith("INFO It's ")).count(),
          lines(j).toString());
      assertTrue(lines(j).contains("INFO Hello, World!"), lines(j).toString());
      assertEquals(c.handle().tickPeriodMillis(), j.handle().tickPeriodMillis());
      assertEquals(pluginMetrics(c), pluginMetrics(j));
    }
  }

  /** What the queue pair leaves behind: shared counts, the collector's counter, log lines. */
  private record Collected(Map<String, String> counts, long collected, List<String> logs) {}

  private static Collected collect(
      UnaryOperator<PluginConfig.Builder> collectorCode,
      UnaryOperator<PluginConfig.Builder> reporterCode,
      String collectorVmId,
      List<String> paths)
      throws Exception {
    ManualScheduler scheduler = new ManualScheduler();
    RecordingLogSink logs = new RecordingLogSink();
    try (ProxyWasmHost host = ProxyWasmHost.builder().scheduler(scheduler).logSink(logs).build();
        ServicePlugin collector =
            host.startService(
                collectorCode.apply(PluginConfig.builder("collector").vmId("collector")).build());
        Plugin reporter =
            host.load(
                reporterCode
                    .apply(
                        PluginConfig.builder("reporter")
                            .vmId("filters")
                            .pluginConfiguration(" " + collectorVmId + "\n"))
                    .build());
        Worker worker = host.newWorker()) {
      for (String path : paths) {
        HttpStream s = worker.handle(reporter).newHttpStream(HttpStreamListener.IGNORE);
        assertEquals(
            FilterHeadersStatus.CONTINUE, s.onRequestHeaders(HeaderMap.of(":path", path), true));
        s.close();
      }
      scheduler.runDue();
      Map<String, String> counts = new TreeMap<>();
      for (String path : paths) {
        host.sharedData()
            .get("collector", PathCollector.KEY_PREFIX + path)
            .ifPresent(v -> counts.put(path, new String(v.value(), StandardCharsets.UTF_8)));
      }
      long collected =
          host.extension()
              .pluginMetric(MetricType.COUNTER, "collected_paths", collector.plugin().info())
              .value();
      return new Collected(
          counts, collected, logs.lines().stream().map(RecordingLogSink.Line::toString).toList());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"collector", "nowhere"})
  void thePathQueuePairMatchesItsWasmTwins(String collectorVmId) throws Exception {
    List<String> paths = List.of("/a", "/b", "/a", "/", "/a");
    Collected fromC =
        collect(
            b -> b.runtime("chicory-compiler").code(bytes("c-path-collector.wasm")),
            b -> b.runtime("chicory-compiler").code(bytes("c-path-reporter.wasm")),
            collectorVmId,
            paths);
    Collected fromJava =
        collect(
            b -> b.javaPlugin("path-collector"),
            b -> b.javaPlugin("path-reporter"),
            collectorVmId,
            paths);
    assertEquals(fromC, fromJava);
    if (collectorVmId.equals("collector")) {
      assertEquals(Map.of("/a", "3", "/b", "1", "/", "1"), fromJava.counts());
      assertEquals(5, fromJava.collected());
      assertEquals(List.of(), fromJava.logs());
    } else {
      assertEquals(Map.of(), fromJava.counts());
      assertEquals(0, fromJava.collected());
      assertEquals(5, fromJava.logs().size(), fromJava.logs().toString());
      assertEquals("WARN queue paths of vm nowhere not found", fromJava.logs().get(0));
    }
  }

  private static byte[] bytes(String name) {
    try {
      return Files.readAllBytes(corpus(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The plugin's own metrics; the host's lifecycle gauges are named per runtime. */
  private static List<?> pluginMetrics(TestPlugin p) {
    return p.extension().metricValues().stream()
        .filter(m -> !m.name().startsWith("wasm."))
        .toList();
  }

  private static List<String> lines(TestPlugin p) {
    return p.logs().lines().stream().map(RecordingLogSink.Line::toString).toList();
  }
}

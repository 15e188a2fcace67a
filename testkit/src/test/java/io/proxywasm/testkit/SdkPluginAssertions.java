package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.HttpStream;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.WasmEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Envoy does with the plugins that the Rust and C++ SDK builds share: the same behaviour
 * checked on both, so that the SDKs' differences show as differences in one place.
 */
final class SdkPluginAssertions {
  private SdkPluginAssertions() {}

  private static final Pattern CPP_PREFIX = Pattern.compile("^\\[[^\\]]*\\]::[^ ]* ");

  /**
   * What the plugin logged, without the {@code [file.cc:line]::function() } prefix the C++ SDK's
   * LOG_* macros add.
   */
  static List<String> texts(List<String> messages) {
    return messages.stream().map(m -> CPP_PREFIX.matcher(m).replaceFirst("")).toList();
  }

  /**
   * What the plugin logged, each text once: the host runs a plugin in a base VM and in each
   * worker's VM, as Envoy does on its main thread and workers, so root callbacks log once per VM.
   */
  static List<String> distinct(List<String> messages) {
    return texts(messages).stream().distinct().toList();
  }

  /** hello_world: logs on VM start and configure, then on each 5 s tick. */
  static void helloWorld(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.config(c -> c.pluginConfiguration("{\"a\":1}")).start()) {
      assertEquals(
          List.of("Hello, World!", "configured with {\"a\":1}"),
          distinct(plugin.logs().messages()));
      assertEquals(LogLevel.INFO, plugin.logs().lines().get(0).level());
      plugin.logs().clear();
      plugin.advance(Duration.ofMillis(4999));
      assertEquals(List.of(), plugin.logs().messages());
      plugin.advance(Duration.ofMillis(1));
      List<String> ticks = texts(plugin.logs().messages());
      assertFalse(ticks.isEmpty());
      assertTrue(ticks.stream().allMatch(l -> l.matches("It's \\d+")), ticks.toString());
    }
  }

  /** The corpus file of a plugin. */
  static Path corpus(String name) {
    return Path.of(System.getProperty("proxywasm.plugins.dir", "../plugins"), "wasm", name);
  }

  /**
   * http_headers: logs each request and response header at trace level, adds {@code
   * x-proxy-wasm-sdk: <sdk>} to responses, answers {@code /hello} locally.
   */
  static void httpHeaders(ProxyWasmTestKit kit, String sdk) throws Exception {
    try (TestPlugin plugin = kit.config(c -> c.logLevel(LogLevel.TRACE)).start()) {
      ExchangeResult passed =
          plugin
              .http()
              .requestHeader(":path", "/a")
              .requestHeader("x-test", "1")
              .responseHeader("server", "up")
              .run();
      assertTrue(passed.failure().isEmpty(), () -> passed.failure().toString());
      assertEquals(FilterHeadersStatus.CONTINUE, passed.requestHeadersStatus());
      assertTrue(passed.localResponse().isEmpty());
      assertTrue(
          passed.responseHeaders().contains(Header.of("x-proxy-wasm-sdk", sdk)),
          passed.responseHeaders().toString());
      List<String> logs = texts(passed.logMessages());
      assertTrue(logs.stream().anyMatch(l -> l.matches("#\\d+ -> :path: /a")), logs.toString());
      String id =
          logs.stream()
              .map(l -> Pattern.compile("#(\\d+) -> :path: /a").matcher(l))
              .filter(Matcher::matches)
              .findFirst()
              .orElseThrow()
              .group(1);
      assertTrue(logs.contains("#" + id + " -> x-test: 1"), logs.toString());
      assertTrue(logs.contains("#" + id + " <- server: up"), logs.toString());
      assertFalse(
          logs.stream().anyMatch(l -> l.contains("x-proxy-wasm-sdk")),
          "the header is added after the response headers are logged: " + logs);
      assertEquals("#" + id + " completed.", logs.get(logs.size() - 1), logs.toString());
      assertTrue(
          passed.logs().stream().allMatch(l -> l.level() == LogLevel.TRACE),
          passed.logs().toString());

      ExchangeResult hello = plugin.http().requestHeader(":path", "/hello").run();
      assertTrue(hello.failure().isEmpty(), () -> hello.failure().toString());
      LocalResponse reply = hello.localResponse().orElseThrow();
      assertEquals(200, reply.status());
      assertEquals("Hello, World!\n", reply.bodyText());
      // Envoy's sendLocalReply sends header names in lower case
      assertTrue(reply.headers().contains(Header.of("hello", "World")), reply.toString());
      assertTrue(reply.headers().contains(Header.of("powered-by", "proxy-wasm")), reply.toString());
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK, hello.requestHeadersStatus());
      assertTrue(hello.responseHeadersStatus().isEmpty(), "the upstream never answered");
    }
  }

  /**
   * early_close: a stream the proxy ends before any plugin callback must end quietly; Envoy calls
   * proxy_on_done and proxy_on_log only for contexts the plugin created.
   */
  static void earlyClose(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.start()) {
      HttpStream stream =
          plugin.handle().newHttpStream(new io.proxywasm.host.HttpStreamListener() {});
      stream.close();
      assertTrue(stream.failure().isEmpty(), () -> stream.failure().toString());
      assertEquals(List.of(), plugin.extension().events(WasmEvent.RUNTIME_ERROR));
      assertFalse(
          plugin.logs().messages().stream()
              .anyMatch(l -> l.contains(" done") || l.contains(" log")),
          "no on_done or on_log for a context never created: " + plugin.logs().messages());

      ExchangeResult next = plugin.http().requestHeader(":path", "/next").run();
      assertTrue(next.failure().isEmpty(), () -> next.failure().toString());
    }
  }

  /** early_close: a stream that ran does its work in on_log and on_done. */
  static void workInOnDoneAndOnLog(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.start()) {
      ExchangeResult r = plugin.http().requestHeader(":path", "/next").responseStatus(204).run();
      assertTrue(r.failure().isEmpty(), () -> r.failure().toString());
      List<String> logs = texts(plugin.logs().messages());
      assertEquals(2, logs.size(), logs.toString());
      assertTrue(
          logs.stream().anyMatch(l -> l.matches("#\\d+ log, path /next, status 204")),
          logs.toString());
      assertTrue(logs.stream().anyMatch(l -> l.matches("#\\d+ done, path /next")), logs.toString());
      assertEquals(List.of(), plugin.extension().events(WasmEvent.RUNTIME_ERROR));
    }
  }

  /**
   * properties: set then get the same single-segment path on a stream; request.path from the
   * request; plugin_root_id.
   */
  static void properties(ProxyWasmTestKit kit, String rootId) throws Exception {
    try (TestPlugin plugin = kit.config(c -> c.rootId(rootId)).start()) {
      ExchangeResult r =
          plugin.http().requestHeader(":path", "/p?q=1").requestHeader("x-value", "v1").run();
      assertTrue(r.failure().isEmpty(), () -> r.failure().toString());
      List<String> logs = texts(r.logMessages());
      assertTrue(logs.contains("sdk_test = v1"), logs.toString());
      assertTrue(logs.contains("request.path = /p?q=1"), logs.toString());
      assertTrue(logs.contains("plugin_root_id = " + rootId), logs.toString());
    }
  }

  /**
   * two_roots: root_ids "first" and "second" in one VM (one worker, one vm_id), each dispatching a
   * callout on its tick; both answers reach their root. The kit's own plugin is a third, idle root
   * of the same VM on another worker. Returns what the worker's plugins logged.
   */
  static List<String> twoRoots(ProxyWasmTestKit kit, String wasm) throws Exception {
    FakeUpstreams upstreams = new FakeUpstreams().respond("upstream", 200, "ok");
    try (TestPlugin plugin =
        kit.upstreams(upstreams)
            .config(c -> c.rootId("idle").vmId("callers").pluginConfiguration("0"))
            .start()) {
      String runtime = plugin.plugin().config().runtime();
      try (Plugin first = plugin.host().load(caller("first", runtime, wasm));
          Plugin second = plugin.host().load(caller("second", runtime, wasm));
          Worker worker = plugin.host().newWorker()) {
        PluginHandle h1 = worker.handle(first);
        PluginHandle h2 = worker.handle(second);
        assertTrue(h1.rootContextId().isPresent() && h2.rootContextId().isPresent());
        plugin.logs().clear();
        plugin.advance(Duration.ofMillis(1000));
        plugin.runDue();
        List<String> logs = texts(plugin.logs().messages());
        assertEquals(
            List.of(), plugin.extension().events(WasmEvent.RUNTIME_ERROR), logs.toString());
        assertEquals(
            List.of("/first", "/second"),
            upstreams.calls("upstream").stream()
                .map(
                    c ->
                        c.headers().stream()
                            .filter(e -> e.getKey().equals(":path"))
                            .findFirst()
                            .orElseThrow()
                            .getValue())
                .sorted()
                .toList());
        assertTrue(
            logs.stream().anyMatch(l -> l.startsWith("first answer") && l.endsWith(": 200")),
            logs.toString());
        assertTrue(
            logs.stream().anyMatch(l -> l.startsWith("second answer") && l.endsWith(": 200")),
            logs.toString());
        return logs;
      }
    }
  }

  private static PluginConfig caller(String rootId, String runtime, String wasm) {
    return PluginConfig.builder(rootId)
        .runtime(runtime)
        .code(corpus(wasm))
        .rootId(rootId)
        .vmId("callers")
        .pluginConfiguration("1000")
        .build();
  }
}

package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HostClock;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.testkit.RecordingLogSink;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The committed plugins of {@code plugins/}: the seed's two plugins and the ABI edge cases. */
class CorpusTest {
  private static final long NOW = 1_700_000_000_123_456_789L;
  private final RecordingLogSink log = new RecordingLogSink();
  private final ManualScheduler scheduler = new ManualScheduler();
  private final ProxyWasmHost host =
      TestSupport.host(log, scheduler)
          .clock(
              new HostClock() {
                @Override
                public long realtimeNanos() {
                  return NOW;
                }

                @Override
                public long monotonicNanos() {
                  return 42;
                }
              })
          .build();

  @AfterEach
  void tearDown() {
    host.close();
  }

  private Plugin load(String file, String rootId) throws PluginLoadException {
    return host.load(
        PluginConfig.builder(file)
            .rootId(rootId)
            .runtime(TestSupport.RUNTIME)
            .code(TestSupport.corpus("wasm/" + file))
            // the AssemblyScript SDK traps on an empty plugin configuration (plugins/README.md)
            .pluginConfiguration("{}")
            .logLevel(LogLevel.TRACE)
            .build());
  }

  private List<String> logsStartingWith(String prefix) {
    return log.messages().stream().filter(m -> m.startsWith(prefix)).collect(Collectors.toList());
  }

  @ParameterizedTest
  @CsvSource({"c-hello-world.wasm, ''", "as-hello-world.wasm, hello_world"})
  void helloWorldLogsOnStartAndOnEachTick(String file, String rootId) throws Exception {
    try (Plugin plugin = load(file, rootId);
        Worker worker = host.newWorker()) {
      log.clear();
      PluginHandle handle = worker.handle(plugin);
      assertTrue(handle.rootContextId().isPresent(), "the plugin starts on the worker");
      assertEquals(List.of("Hello, World!"), logsStartingWith("Hello"));
      assertEquals(5000L, handle.tickPeriodMillis().orElseThrow());
      scheduler.advance(Duration.ofMillis(4999));
      assertTrue(logsStartingWith("It's").isEmpty());
      scheduler.advance(Duration.ofMillis(1));
      assertEquals(List.of("It's " + NOW), logsStartingWith("It's"));
      scheduler.advance(Duration.ofSeconds(10));
      assertEquals(3, logsStartingWith("It's").size());
    }
  }

  @ParameterizedTest
  @CsvSource({"c-http-headers.wasm, ''", "as-http-headers.wasm, http_headers"})
  void httpHeadersAnswersHelloLocally(String file, String rootId) throws Exception {
    try (Plugin plugin = load(file, rootId);
        Worker worker = host.newWorker()) {
      HttpStream stream = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
      log.clear();
      HeaderMap request = HeaderMap.of(":path", "/hello", ":method", "GET");
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
          stream.onRequestHeaders(request, true));
      LocalResponse reply = stream.localResponse().orElseThrow();
      assertEquals(200, reply.status());
      assertEquals("Hello, World!\n", reply.bodyText());
      assertEquals(
          // Envoy's sendLocalReply sends header names in lower case
          List.of(Header.of("hello", "World"), Header.of("powered-by", "proxy-wasm")),
          reply.headers());
      int id = stream.contextId();
      assertEquals(
          List.of("#" + id + " -> :path: /hello", "#" + id + " -> :method: GET"),
          logsStartingWith("#"));
      stream.close();
    }
  }

  @ParameterizedTest
  @CsvSource({"c-http-headers.wasm, ''", "as-http-headers.wasm, http_headers"})
  void httpHeadersLetsOtherPathsThrough(String file, String rootId) throws Exception {
    try (Plugin plugin = load(file, rootId);
        Worker worker = host.newWorker()) {
      HttpStream stream = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
      log.clear();
      assertEquals(
          FilterHeadersStatus.CONTINUE,
          stream.onRequestHeaders(HeaderMap.of(":path", "/other", "accept", "*/*"), true));
      assertEquals(
          FilterHeadersStatus.CONTINUE,
          stream.onResponseHeaders(HeaderMap.of(":status", "200"), true));
      stream.onLog();
      stream.close();
      int id = stream.contextId();
      assertTrue(stream.localResponse().isEmpty());
      assertEquals(
          List.of(
              "#" + id + " -> :path: /other",
              "#" + id + " -> accept: */*",
              "#" + id + " <- :status: 200",
              "#" + id + " completed."),
          logsStartingWith("#"));
    }
  }

  @ParameterizedTest
  @CsvSource({
    "abi-0-1-0-imports.wasm, V0_1_0",
    "abi-0-2-0-imports.wasm, V0_2_0",
    "abi-0-2-1-imports.wasm, V0_2_1",
    "wasi-all-imports.wasm, V0_2_1",
    "wasi-unstable-imports.wasm, V0_2_1"
  })
  void everyImportOfEachVersionLinks(String file, AbiVersion version) throws Exception {
    try (Plugin plugin = load(file, "")) {
      assertEquals(version, plugin.abiVersion());
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "bad-magic.wasm | UNABLE_TO_INITIALIZE_CODE | bad magic number",
        "no-abi-marker.wasm | UNABLE_TO_INITIALIZE_CODE | Missing or unknown Proxy-Wasm ABI version",
        "unknown-import.wasm | UNABLE_TO_INITIALIZE_CODE | missing import: env.proxy_does_not_exist",
        "abi-0-1-0-with-0-2-import.wasm | UNABLE_TO_INITIALIZE_CODE"
            + " | missing import: env.proxy_continue_stream",
        "wrong-export-signature.wasm | UNABLE_TO_INITIALIZE_CODE"
            + " | Bad function signature for: proxy_on_request_headers, want: (i32, i32, i32) ->"
            + " (i32), but the module exports: (i32, i32) -> (i32)",
        "trap-in-start.wasm | UNABLE_TO_INITIALIZE_CODE | Function: _initialize failed",
        "missing-malloc.wasm | MISSING_FUNCTION | Wasm module is missing malloc function."
      })
  void brokenModulesFailToLoadWithAClearMessage(String file, FailState state, String message) {
    PluginLoadException e = assertThrows(PluginLoadException.class, () -> load(file, ""));
    assertEquals(state, e.failState(), e.getMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}

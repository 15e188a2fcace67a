package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.LogSink;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.ProviderLookupException;
import io.proxywasm.spi.WasmEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.AssertionFailedError;

/** The kit on the committed corpus plugins, on every Chicory runtime. */
class ProxyWasmTestKitTest {
  private static Path corpus(String name) {
    return Path.of(System.getProperty("proxywasm.plugins.dir", "../plugins"), "wasm", name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"chicory", "chicory-compiler"})
  void httpHeadersPluginAnswersHello(String runtime) throws Exception {
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime(runtime)
            .plugin(corpus("c-http-headers.wasm"))
            .config(c -> c.logLevel(LogLevel.TRACE))
            .start()) {
      ExchangeResult hello = plugin.http().requestHeader(":path", "/hello").run();
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK, hello.requestHeadersStatus());
      assertEquals(200, hello.localResponse().orElseThrow().status());
      assertEquals("Hello, World!\n", hello.localResponse().orElseThrow().bodyText());
      assertTrue(hello.responseHeadersStatus().isEmpty(), "no upstream response after a reply");

      ExchangeResult other =
          plugin
              .http()
              .requestHeader(":path", "/other")
              .responseHeader("server", "test")
              .responseBody("ok")
              .run();
      assertEquals(FilterHeadersStatus.CONTINUE, other.requestHeadersStatus());
      assertEquals(Optional.of(FilterHeadersStatus.CONTINUE), other.responseHeadersStatus());
      assertEquals("ok", other.responseBodyText());
      assertEquals(
          List.of(Header.of(":status", "200"), Header.of("server", "test")),
          other.responseHeaders());
      assertTrue(
          other.logMessages().stream().anyMatch(m -> m.endsWith(" -> :path: /other")),
          other.logMessages().toString());
      assertTrue(other.logMessages().get(other.logMessages().size() - 1).endsWith(" completed."));
    }
  }

  /** A Java plugin logging at TRACE and at INFO on each request. */
  static final class TraceAndInfo implements JavaPlugin {
    @Override
    public String name() {
      return "trace-and-info";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            @Override
            public Action onRequestHeaders(int headers, boolean endOfStream) {
              log(LogLevel.TRACE, "trace line");
              log(LogLevel.INFO, "info line");
              return Action.CONTINUE;
            }
          };
        }
      };
    }
  }

  @Test
  void linesBelowTheLevelOfAJavaPluginAreCountedAndForwarded() throws Exception {
    List<LogLevel> forwarded = new ArrayList<>();
    LogSink mine =
        new LogSink() {
          @Override
          public void log(PluginInfo plugin, LogLevel level, String message) {}

          @Override
          public void dropped(PluginInfo plugin, LogLevel level, LogLevel pluginLevel) {
            forwarded.add(level);
          }
        };
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime("null").javaPlugin(new TraceAndInfo()).logSink(mine).start()) {
      ExchangeResult r = plugin.http().requestHeader(":path", "/").run();
      plugin.http().requestHeader(":path", "/").run();
      assertEquals(List.of("info line"), r.logMessages());
      assertEquals(Map.of(LogLevel.TRACE, 2), plugin.logs().dropped());
      assertEquals(List.of(LogLevel.TRACE, LogLevel.TRACE), forwarded);
      assertTrue(plugin.logs().droppedHint().contains("set logLevel(LogLevel.TRACE)"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"chicory", "chicory-compiler"})
  void helloWorldTicksOnManualTime(String runtime) throws Exception {
    ManualClock clock = new ManualClock(Instant.ofEpochSecond(1_000));
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime(runtime)
            .plugin(corpus("c-hello-world.wasm"))
            .clock(clock)
            .start()) {
      assertTrue(plugin.logs().messages().contains("Hello, World!"));
      plugin.advance(Duration.ofSeconds(5));
      assertEquals("It's 1005000000000", last(plugin.logs().messages()));
      plugin.advance(Duration.ofSeconds(5));
      assertEquals("It's 1010000000000", last(plugin.logs().messages()));
      assertEquals(1, plugin.extension().events(WasmEvent.OK).size());
    }
  }

  private static String last(List<String> list) {
    return list.get(list.size() - 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"chicory"})
  void clearErrors(String runtime) {
    PluginLoadException broken =
        assertThrows(
            PluginLoadException.class,
            () -> ProxyWasmTestKit.runtime(runtime).plugin(corpus("unknown-import.wasm")).start());
    assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, broken.failState());
    assertTrue(broken.getMessage().contains("env.proxy_does_not_exist"), broken.getMessage());
    ProviderLookupException noRuntime =
        assertThrows(ProviderLookupException.class, () -> ProxyWasmTestKit.runtime("v8"));
    assertTrue(noRuntime.getMessage().contains("available: asm, chicory, chicory-compiler"));
    assertThrows(IllegalStateException.class, () -> ProxyWasmTestKit.runtime(runtime).start());
  }

  @ParameterizedTest
  @ValueSource(strings = {"chicory"})
  void aWrongExpectationFailsReadably(String runtime) throws Exception {
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime(runtime).plugin(corpus("c-http-headers.wasm")).start()) {
      ExchangeResult result = plugin.http().requestHeader(":path", "/hello").run();
      AssertionFailedError e =
          assertThrows(
              AssertionFailedError.class,
              () -> assertEquals(404, result.localResponse().orElseThrow().status(), "status"));
      assertEquals("status ==> expected: <404> but was: <200>", e.getMessage());
    }
  }
}

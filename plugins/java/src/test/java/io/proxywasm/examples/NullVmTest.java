package io.proxywasm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpCallResponse;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.ServicePlugin;
import io.proxywasm.host.Worker;
import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HostCallException;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.WasmResult;
import io.proxywasm.testkit.ExchangeResult;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.RecordingLogSink;
import io.proxywasm.testkit.TestPlugin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Java plugins on the Null VM behind the host: lifecycle, shared stores, failures, callouts. */
class NullVmTest {

  /** A plugin made of a root context factory, for tests. */
  private record Inline(String name, Supplier<RootContext> roots) implements JavaPlugin {
    @Override
    public RootContext newRootContext() {
      return roots.get();
    }
  }

  /** A plugin whose HTTP streams answer request headers with {@code onRequestHeaders}. */
  private static JavaPlugin onRequestHeaders(
      String name, java.util.function.Function<HttpContext, Action> onRequestHeaders) {
    return new Inline(
        name,
        () ->
            new RootContext() {
              @Override
              public HttpContext newHttpContext(int id) {
                return new HttpContext() {
                  @Override
                  public Action onRequestHeaders(int headers, boolean endOfStream) {
                    return onRequestHeaders.apply(this);
                  }
                };
              }
            });
  }

  @Test
  void aServiceCollectsWhatAFilterInAnotherVmEnqueues() throws Exception {
    ManualScheduler scheduler = new ManualScheduler();
    RecordingLogSink logs = new RecordingLogSink();
    try (ProxyWasmHost host = ProxyWasmHost.builder().scheduler(scheduler).logSink(logs).build();
        ServicePlugin collector =
            host.startService(
                PluginConfig.builder("collector")
                    .vmId("collector")
                    .javaPlugin("path-collector")
                    .build());
        Plugin reporter =
            host.load(
                PluginConfig.builder("reporter")
                    .vmId("filters")
                    .javaPlugin("path-reporter")
                    .pluginConfiguration("collector")
                    .build());
        Worker worker = host.newWorker()) {
      assertEquals("null", reporter.info().runtime(), "java: code picks the Null VM");
      for (String path : List.of("/a", "/b", "/a")) {
        HttpStream s = worker.handle(reporter).newHttpStream(HttpStreamListener.IGNORE);
        assertEquals(
            FilterHeadersStatus.CONTINUE, s.onRequestHeaders(HeaderMap.of(":path", path), true));
        s.close();
      }
      scheduler.runDue();
      assertEquals("2", shared(host, "/a"));
      assertEquals("1", shared(host, "/b"));
      assertEquals(
          3,
          host.extension()
              .pluginMetric(MetricType.COUNTER, "collected_paths", collector.plugin().info())
              .value());
      assertEquals(List.of(), logs.messages(), "no warnings: the queue was found");
    }
  }

  private static String shared(ProxyWasmHost host, String path) {
    return new String(
        host.sharedData().get("collector", PathCollector.KEY_PREFIX + path).orElseThrow().value(),
        StandardCharsets.UTF_8);
  }

  @Test
  void aReporterWithoutItsCollectorWarnsAndContinues() throws Exception {
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime("null")
            .javaPlugin("path-reporter")
            .config(c -> c.pluginConfiguration("nowhere"))
            .start()) {
      ExchangeResult r = plugin.http().requestHeader(":path", "/x").run();
      assertEquals(FilterHeadersStatus.CONTINUE, r.requestHeadersStatus());
      assertEquals(List.of("queue paths of vm nowhere not found"), r.logMessages());
    }
  }

  @Test
  void anExceptionInACallbackFailsTheVmAndTheFailPolicyApplies() throws Exception {
    JavaPlugin thrower =
        onRequestHeaders(
            "thrower",
            http -> {
              if (http.requestHeaders().get("boom").isPresent()) {
                throw new IllegalStateException("bad header");
              }
              return Action.CONTINUE;
            });
    for (FailPolicy policy : FailPolicy.values()) {
      try (TestPlugin plugin =
          ProxyWasmTestKit.runtime("null")
              .javaPlugin(thrower)
              .config(c -> c.failPolicy(policy))
              .start()) {
        ExchangeResult failed = plugin.http().requestHeader("boom", "1").run();
        if (policy == FailPolicy.FAIL_CLOSED) {
          assertEquals(503, failed.localResponse().orElseThrow().status());
        } else {
          assertTrue(failed.localResponse().isEmpty());
          assertEquals(FilterHeadersStatus.CONTINUE, failed.requestHeadersStatus());
        }
        List<?> runtimeErrors = plugin.extension().events(io.proxywasm.spi.WasmEvent.RUNTIME_ERROR);
        assertEquals(1, runtimeErrors.size());
        assertTrue(
            runtimeErrors.get(0).toString().contains("java.lang.IllegalStateException: bad header"),
            runtimeErrors.toString());
        ExchangeResult next = plugin.http().requestHeader(":path", "/fine").run();
        assertEquals(FilterHeadersStatus.CONTINUE, next.requestHeadersStatus(), policy.name());
        assertTrue(next.localResponse().isEmpty(), "a fresh VM serves the next request");
      }
    }
  }

  @Test
  void aRootContextResumesAStreamWhenItsCalloutAnswers() throws Exception {
    List<String> seen = new ArrayList<>();
    JavaPlugin auth =
        new Inline(
            "auth",
            () ->
                new RootContext() {
                  @Override
                  public HttpContext newHttpContext(int id) {
                    return new HttpContext() {
                      @Override
                      public Action onRequestHeaders(int headers, boolean endOfStream) {
                        dispatchHttpCall(
                            "auth",
                            List.of(
                                Header.of(":method", "GET"),
                                Header.of(":path", "/check"),
                                Header.of(":authority", "auth")),
                            new byte[0],
                            List.of(),
                            Duration.ofSeconds(1));
                        return Action.PAUSE;
                      }

                      @Override
                      public void onHttpCallResponse(
                          int token, int headers, int bodySize, int trailers) {
                        seen.add(new String(httpCallResponseBody(), StandardCharsets.UTF_8));
                        requestHeaders().set("x-auth", "ok");
                        resumeRequest();
                      }
                    };
                  }
                });
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime("null")
            .javaPlugin(auth)
            .httpCalls(
                (request, callback) -> {
                  callback.onResponse(
                      new HttpCallResponse(
                          List.of(Header.of(":status", "200")),
                          "allowed".getBytes(StandardCharsets.UTF_8),
                          List.of()));
                  return WasmResult.OK;
                })
            .start()) {
      ExchangeResult r = plugin.http().requestHeader(":path", "/").run();
      // Pause is StopIteration, which the host reports as Envoy's StopAllIterationAndWatermark
      assertEquals(FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK, r.requestHeadersStatus());
      assertEquals(List.of("allowed"), seen, "the HTTP context that called gets the answer");
      assertTrue(r.resumed().contains(io.proxywasm.spi.StreamType.REQUEST), r.toString());
      assertTrue(r.requestHeaders().contains(Header.of("x-auth", "ok")), r.toString());
    }
  }

  @Test
  void loadErrorsNameWhatIsWrong() {
    PluginLoadException missing =
        assertThrows(
            PluginLoadException.class,
            () -> ProxyWasmTestKit.runtime("null").javaPlugin("no-such-plugin").start());
    assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, missing.failState());
    assertTrue(
        missing.getMessage().contains("no Java plugin named 'no-such-plugin'")
            && missing.getMessage().contains("http-headers"),
        missing.getMessage());

    PluginLoadException wasm =
        assertThrows(
            PluginLoadException.class,
            () ->
                ProxyWasmTestKit.runtime("null")
                    .plugin(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0})
                    .start());
    assertTrue(wasm.getMessage().contains("not a wasm module"), wasm.getMessage());

    PluginLoadException notAPlugin =
        assertThrows(
            PluginLoadException.class,
            () -> ProxyWasmTestKit.runtime("null").javaPlugin("java.lang.String").start());
    assertTrue(notAPlugin.getMessage().contains("does not implement"), notAPlugin.getMessage());

    PluginLoadException rejected =
        assertThrows(
            PluginLoadException.class,
            () ->
                ProxyWasmTestKit.runtime("null")
                    .javaPlugin(
                        new Inline(
                            "picky",
                            () ->
                                new RootContext() {
                                  @Override
                                  public boolean onConfigure(int size) {
                                    return size == 0;
                                  }
                                }))
                    .config(c -> c.pluginConfiguration("x"))
                    .start());
    assertEquals(FailState.CONFIGURE_FAILED, rejected.failState());
  }

  @Test
  void aPluginNamedByClassRuns() throws Exception {
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime("null").javaPlugin(HttpHeaders.class.getName()).start()) {
      assertEquals(
          200, plugin.http().requestHeader(":path", "/hello").run().localResponse().get().status());
    }
  }

  @Test
  void hostCallsOutsideCallbacksAreRefusedClearly() throws Exception {
    RootContext[] kept = new RootContext[1];
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime("null")
            .javaPlugin(
                new Inline(
                    "keeper",
                    () ->
                        kept[0] =
                            new RootContext() {
                              @Override
                              public boolean onVmStart(int size) {
                                logInfo("started");
                                return true;
                              }
                            }))
            .start()) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> kept[0].logInfo("x"));
      assertTrue(e.getMessage().contains("outside a callback"), e.getMessage());
      assertTrue(plugin.logs().messages().contains("started"));
      assertFalse(plugin.logs().messages().contains("x"));
      HostCallException none = new HostCallException("proxy_log", WasmResult.NOT_FOUND);
      assertEquals(WasmResult.NOT_FOUND, none.result());
    }
  }

  @Test
  void aPluginSeesItsLogLevelChangeAtRunTime() throws Exception {
    JavaPlugin reporter =
        onRequestHeaders(
            "level-reporter",
            http -> {
              http.logError("level " + http.logLevel());
              return Action.CONTINUE;
            });
    RecordingLogSink logs = new RecordingLogSink();
    try (ProxyWasmHost host =
            ProxyWasmHost.builder().offer("level-reporter", reporter).logSink(logs).build();
        Plugin plugin =
            host.load(PluginConfig.builder("levels").javaPlugin("level-reporter").build());
        Worker worker = host.newWorker()) {
      List<String> seen = new ArrayList<>();
      for (LogLevel level : List.of(LogLevel.INFO, LogLevel.TRACE, LogLevel.CRITICAL)) {
        if (level != LogLevel.INFO) {
          plugin.setLogLevel(level);
        }
        HttpStream s = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
        s.onRequestHeaders(HeaderMap.of(":path", "/"), true);
        s.close();
        seen.addAll(logs.messages());
        logs.clear();
      }
      assertEquals(List.of("level INFO", "level TRACE"), seen, "at critical, errors are dropped");
      assertEquals(LogLevel.CRITICAL, plugin.logLevel());
    }
  }
}

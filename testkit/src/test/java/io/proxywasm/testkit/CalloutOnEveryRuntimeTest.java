package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.PluginFailure;
import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HostCallException;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.StreamType;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The kit on a corpus plugin, {@code plugins/wasm/c-callout.wasm}, on every runtime (the Null VM
 * with its Java twin): callouts answered, failed and timed out by scripted upstreams, a refused
 * dispatch, a trap, and a loop stopped by the call deadline.
 */
class CalloutOnEveryRuntimeTest {
  private static final String WASM = "../plugins/wasm/c-callout.wasm";
  private static final String TWIN = "io.proxywasm.testkit.CalloutOnEveryRuntimeTest$CalloutTwin";

  /** The Java twin of {@code plugins/c/callout.c}. */
  public static final class CalloutTwin implements JavaPlugin {
    /** Creates the plugin. */
    public CalloutTwin() {}

    @Override
    public String name() {
      return CalloutTwin.class.getName();
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public void onHttpCallResponse(int token, int headers, int size, int trailers) {
          logInfo("answer after the stream ended, headers: " + headers);
        }

        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            @Override
            public Action onRequestHeaders(int headers, boolean endOfStream) {
              String path = requestHeaders().get(":path").orElse("");
              if (path.equals("/trap")) {
                throw new IllegalStateException("trap on purpose");
              }
              try {
                dispatchHttpCall(
                    requestHeaders().get("x-upstream").orElse("auth"),
                    List.of(
                        Header.of(":method", "GET"),
                        Header.of(":path", "/check"),
                        Header.of(":authority", "auth")),
                    new byte[0],
                    List.of(),
                    Duration.ofMillis(500));
              } catch (HostCallException e) {
                sendLocalResponse(500, List.of(), "dispatch failed: " + e.result().code());
              }
              return Action.PAUSE;
            }

            @Override
            public void onHttpCallResponse(int token, int headers, int size, int trailers) {
              String status =
                  httpCallResponseHeaders().stream()
                      .filter(e -> e.getKey().equals(":status"))
                      .map(Map.Entry::getValue)
                      .findFirst()
                      .orElse("none");
              if (status.equals("200")) {
                resumeRequest();
              } else {
                sendLocalResponse(403, List.of(), "denied: " + status);
              }
            }
          };
        }
      };
    }
  }

  @OnEveryRuntime(wasm = WASM, javaPlugin = TWIN)
  void anAnsweredCalloutResumesTheRequest(ProxyWasmTestKit kit) throws Exception {
    FakeUpstreams upstreams = new FakeUpstreams().respond("auth", 200, "ok");
    try (TestPlugin plugin = kit.upstreams(upstreams).start()) {
      ExchangeResult r = plugin.http().requestHeader(":path", "/a").run();
      assertEquals(FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK, r.requestHeadersStatus());
      assertEquals(List.of(StreamType.REQUEST), r.resumed());
      assertTrue(r.localResponse().isEmpty());
      assertEquals(1, upstreams.calls("auth").size());
      assertEquals(
          List.of(
              Header.of(":method", "GET"),
              Header.of(":path", "/check"),
              Header.of(":authority", "auth")),
          upstreams.calls("auth").get(0).headers());
      assertEquals(Duration.ofMillis(500), upstreams.calls("auth").get(0).timeout());
    }
  }

  @OnEveryRuntime(wasm = WASM, javaPlugin = TWIN)
  void aDeniedOrFailedCalloutAnswersLocally(ProxyWasmTestKit kit) throws Exception {
    FakeUpstreams upstreams =
        new FakeUpstreams().respond("auth", 401, "no").fail("broken", "connection reset");
    try (TestPlugin plugin = kit.upstreams(upstreams).start()) {
      ExchangeResult denied = plugin.http().requestHeader(":path", "/a").run();
      assertEquals(403, denied.localResponse().orElseThrow().status());
      assertEquals("denied: 401", denied.localResponse().orElseThrow().bodyText());

      ExchangeResult failed =
          plugin.http().requestHeader(":path", "/b").requestHeader("x-upstream", "broken").run();
      assertEquals("denied: none", failed.localResponse().orElseThrow().bodyText());

      ExchangeResult refused =
          plugin.http().requestHeader(":path", "/c").requestHeader("x-upstream", "nowhere").run();
      assertEquals(500, refused.localResponse().orElseThrow().status());
      assertEquals(
          "dispatch failed: 2", refused.localResponse().orElseThrow().bodyText(), "BadArgument");
      assertEquals(List.of(), plugin.extension().events(io.proxywasm.spi.WasmEvent.RUNTIME_ERROR));
    }
  }

  @OnEveryRuntime(wasm = WASM, javaPlugin = TWIN)
  void aCalloutThatTimesOutAnswersTheRootOnceTheStreamIsGone(ProxyWasmTestKit kit)
      throws Exception {
    FakeUpstreams upstreams = new FakeUpstreams().hang("auth");
    try (TestPlugin plugin = kit.upstreams(upstreams).start()) {
      ExchangeResult waiting = plugin.http().requestHeader(":path", "/slow").run();
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK, waiting.requestHeadersStatus());
      assertTrue(waiting.localResponse().isEmpty(), "still waiting for the upstream");
      plugin.advance(Duration.ofMillis(499));
      assertEquals(List.of(), plugin.logs().messages());
      plugin.advance(Duration.ofMillis(1));
      // Envoy's async client answers a timeout with a local 504 (3 headers), not with nothing
      assertEquals(List.of("answer after the stream ended, headers: 3"), plugin.logs().messages());
    }
  }

  @OnEveryRuntime(wasm = WASM, javaPlugin = TWIN)
  void aTrapIsATrapAndTheNextRequestIsServed(ProxyWasmTestKit kit) throws Exception {
    FakeUpstreams upstreams = new FakeUpstreams().respond("auth", 200, "ok");
    try (TestPlugin plugin = kit.upstreams(upstreams).start()) {
      ExchangeResult trapped = plugin.http().requestHeader(":path", "/trap").run();
      PluginFailure failure = trapped.failure().orElseThrow();
      assertEquals(PluginFailure.Cause.TRAP, failure.cause(), failure.toString());
      assertEquals(503, trapped.localResponse().orElseThrow().status(), "fail closed");

      ExchangeResult next = plugin.http().requestHeader(":path", "/a").run();
      assertEquals(List.of(StreamType.REQUEST), next.resumed());
      assertTrue(next.failure().isEmpty());
    }
  }

  // The Null VM cannot stop a Java loop (it has no TERMINATE capability): wasm runtimes only.
  @OnEveryRuntime(
      wasm = WASM,
      runtimes = {"chicory", "chicory-compiler"})
  void aLoopIsStoppedByTheDeadlineAndTheNextRequestIsServed(ProxyWasmTestKit kit) throws Exception {
    FakeUpstreams upstreams = new FakeUpstreams().respond("auth", 200, "ok");
    try (TestPlugin plugin =
        kit.upstreams(upstreams).config(b -> b.callDeadline(Duration.ofMillis(100))).start()) {
      ExchangeResult looped = plugin.http().requestHeader(":path", "/loop").run();
      PluginFailure failure = looped.failure().orElseThrow();
      assertEquals(PluginFailure.Cause.DEADLINE_EXCEEDED, failure.cause(), failure.toString());
      assertTrue(
          failure.message().contains("proxy_on_request_headers failed: execution deadline"),
          failure.message());
      assertEquals(503, looped.localResponse().orElseThrow().status());

      ExchangeResult next = plugin.http().requestHeader(":path", "/a").run();
      assertEquals(List.of(StreamType.REQUEST), next.resumed());
    }
  }
}

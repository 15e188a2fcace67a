package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.WasmEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plugins built by the real proxy-wasm Rust SDK (v0.2.0, {@code plugins/rust/}) on every wasm
 * runtime, with what Envoy does as the expected behaviour.
 */
class RustSdkPluginsTest {
  private static final String DIR = "../plugins/wasm/";

  @OnEveryRuntime(wasm = DIR + "rust-hello-world.wasm")
  void helloWorldLogsOnStartConfigureAndTick(ProxyWasmTestKit kit) throws Exception {
    SdkPluginAssertions.helloWorld(kit);
  }

  @OnEveryRuntime(wasm = DIR + "rust-http-headers.wasm")
  void httpHeadersLogsAddsAHeaderAndAnswersHello(ProxyWasmTestKit kit) throws Exception {
    SdkPluginAssertions.httpHeaders(kit, "rust");
  }

  // Host bug: a stream closed before any callback gets proxy_on_done/proxy_on_log for a context
  // the plugin never created (Envoy creates the context with the first callback and ends only
  // created ones); the Rust SDK panics "invalid context_id".
  @OnEveryRuntime(wasm = DIR + "rust-early-close.wasm")
  void aStreamClosedBeforeAnyCallbackEndsQuietly(ProxyWasmTestKit kit) throws Exception {
    SdkPluginAssertions.earlyClose(kit);
  }

  @OnEveryRuntime(wasm = DIR + "rust-early-close.wasm")
  void aStreamDoesItsWorkInOnDoneAndOnLog(ProxyWasmTestKit kit) throws Exception {
    SdkPluginAssertions.workInOnDoneAndOnLog(kit);
  }

  // Host bug: proxy_set_property on a stream answers NotFound for a new property (Envoy stores
  // it as filter state), and the Rust SDK's set_property panics on any status but Ok.
  @OnEveryRuntime(wasm = DIR + "rust-properties.wasm")
  void aPropertySetOnAStreamReadsBack(ProxyWasmTestKit kit) throws Exception {
    SdkPluginAssertions.properties(kit, "properties");
  }

  @OnEveryRuntime(wasm = DIR + "rust-properties.wasm")
  void theRootReadsPluginRootId(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.config(c -> c.rootId("properties")).start()) {
      assertEquals(
          List.of("root plugin_root_id = properties"),
          SdkPluginAssertions.distinct(plugin.logs().messages()));
    }
  }

  @OnEveryRuntime(wasm = DIR + "rust-ticks.wasm")
  void aRootOnlyPluginTicks(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.config(c -> c.pluginConfiguration("250")).start()) {
      assertEquals(
          List.of("tick period 250 ms"), SdkPluginAssertions.distinct(plugin.logs().messages()));
      plugin.advance(Duration.ofMillis(249));
      assertEquals(
          List.of("tick period 250 ms"), SdkPluginAssertions.distinct(plugin.logs().messages()));
      plugin.advance(Duration.ofMillis(1));
      plugin.advance(Duration.ofMillis(500));
      assertEquals(
          List.of("tick period 250 ms", "tick 1", "tick 2", "tick 3"),
          SdkPluginAssertions.distinct(plugin.logs().messages()));
    }
  }

  @OnEveryRuntime(wasm = DIR + "rust-trailers.wasm")
  void trailersAreRead(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.start()) {
      ExchangeResult with =
          plugin
              .http()
              .requestHeader(":path", "/t")
              .requestBody("x")
              .requestTrailer("x-req", "1")
              .responseBody("y")
              .responseTrailer("x-resp", "2")
              .responseTrailer("x-more", "3")
              .run();
      assertTrue(with.failure().isEmpty(), () -> with.failure().toString());
      assertEquals(
          List.of(
              "request trailer x-req: 1",
              "response trailer x-resp: 2",
              "response trailer x-more: 3",
              // in proxy_on_log Envoy shows the final response trailers, not the request's
              // (Context::getConstMap keeps no access-log copy of request trailers)
              "trailers: request 0, response 2"),
          with.logMessages());
    }
  }

  // Host bug: in proxy_on_log an absent trailer map answers BadArgument; Envoy answers Ok with no
  // pairs in the access-log phase, and the Rust SDK panics on any other status.
  @OnEveryRuntime(wasm = DIR + "rust-trailers.wasm")
  void absentTrailersReadAsEmptyInOnLog(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.start()) {
      ExchangeResult without = plugin.http().requestHeader(":path", "/t").run();
      assertTrue(without.failure().isEmpty(), () -> without.failure().toString());
      assertEquals(List.of("trailers: request 0, response 0"), without.logMessages());
    }
  }

  @OnEveryRuntime(wasm = DIR + "rust-queues.wasm")
  void aFilterEnqueuesAndTheRootDequeues(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.config(c -> c.vmId("q").pluginConfiguration("q")).start()) {
      assertFalse(plugin.logs().messages().isEmpty());
      assertTrue(
          plugin.logs().messages().stream()
              .allMatch(l -> l.startsWith("registered queue paths as ")),
          plugin.logs().messages().toString());
      plugin.logs().clear();
      ExchangeResult first = plugin.http().requestHeader(":path", "/one").run();
      ExchangeResult second = plugin.http().requestHeader(":path", "/two").run();
      assertTrue(first.failure().isEmpty() && second.failure().isEmpty());
      plugin.runDue();
      assertEquals(List.of("dequeued /one", "dequeued /two"), plugin.logs().messages());
    }
  }

  // Host bug: callout tokens are counted per root context, not per VM, so two roots in one VM
  // get the same token; the Rust SDK keeps one token table per VM and panics "duplicate token_id".
  @OnEveryRuntime(wasm = DIR + "rust-two-roots.wasm")
  void twoRootsInOneVmGetDifferentCalloutTokens(ProxyWasmTestKit kit) throws Exception {
    List<String> messages = SdkPluginAssertions.twoRoots(kit, "rust-two-roots.wasm");
    List<Integer> tokens = rustTokens(messages);
    assertEquals(2, tokens.size(), messages.toString());
    assertTrue(!tokens.get(0).equals(tokens.get(1)), "tokens differ: " + messages);
  }

  // Host bug: a unary gRPC call's answer came with metadata callbacks and a close after its
  // message; the Rust SDK panics "invalid token_id" on either. Envoy delivers the message alone,
  // or a failure's close.
  @OnEveryRuntime(wasm = DIR + "rust-grpc-callouts.wasm")
  void aUnaryGrpcCallEndsOnceWithItsAnswerOrItsFailure(ProxyWasmTestKit kit) throws Exception {
    FakeUpstreams answering =
        new FakeUpstreams().grpcRespond("grpc", "pong".getBytes(StandardCharsets.UTF_8));
    try (TestPlugin plugin = kit.upstreams(answering).start()) {
      assertEquals("call 0 pong", answer(plugin, "/call/Ping"));
      assertEquals("call 0 pong", answer(plugin, "/call/Ping"));
      assertEquals("msg pong | close 0 ", answer(plugin, "/stream/Watch"));
      assertEquals(List.of(), plugin.extension().events(WasmEvent.RUNTIME_ERROR));
    }
    FakeUpstreams failing = new FakeUpstreams().grpcFail("grpc", 14, "unavailable");
    try (TestPlugin plugin = kit.upstreams(failing).start()) {
      assertEquals("call 14 unavailable", answer(plugin, "/call/Ping"));
      assertEquals("close 14 unavailable", answer(plugin, "/stream/Watch"));
      assertEquals(List.of(), plugin.extension().events(WasmEvent.RUNTIME_ERROR));
    }
  }

  /** The plugin's own answer to a request for a path. */
  private static String answer(TestPlugin plugin, String path) {
    ExchangeResult r = plugin.http().requestHeader(":path", path).run();
    assertTrue(r.failure().isEmpty(), () -> r.failure().toString());
    return r.localResponse().orElseThrow().bodyText();
  }

  /** The tokens the Rust plugin logged ("first dispatched token 1"). */
  private static List<Integer> rustTokens(List<String> messages) {
    Pattern p = Pattern.compile("(first|second) dispatched token (\\d+)");
    return messages.stream()
        .map(p::matcher)
        .filter(Matcher::matches)
        .map(m -> Integer.parseInt(m.group(2)))
        .toList();
  }
}

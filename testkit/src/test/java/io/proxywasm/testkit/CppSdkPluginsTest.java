package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/**
 * Plugins built by the real proxy-wasm C++ SDK ({@code plugins/cpp/}, emscripten, no protobuf) on
 * every wasm runtime, with what Envoy does as the expected behaviour.
 */
class CppSdkPluginsTest {
  private static final String DIR = "../plugins/wasm/";

  @OnEveryRuntime(wasm = DIR + "cpp-hello-world.wasm")
  void helloWorldLogsOnStartConfigureAndTick(ProxyWasmTestKit kit) throws Exception {
    SdkPluginAssertions.helloWorld(kit);
  }

  @OnEveryRuntime(wasm = DIR + "cpp-http-headers.wasm")
  void httpHeadersLogsAddsAHeaderAndAnswersHello(ProxyWasmTestKit kit) throws Exception {
    SdkPluginAssertions.httpHeaders(kit, "cpp");
  }

  // Host bugs: the SDK ends every path segment with a NUL ("request\0path\0"); the host splits
  // the trailing NUL into an extra empty segment, so request.path and plugin_root_id are not found;
  // and proxy_set_property on a stream answers NotFound for a new property (Envoy stores it).
  @OnEveryRuntime(wasm = DIR + "cpp-properties.wasm")
  void aPropertySetOnAStreamReadsBack(ProxyWasmTestKit kit) throws Exception {
    SdkPluginAssertions.properties(kit, "properties");
  }

  // Host bug: as above, "plugin_root_id\0" is split into an extra empty segment: not found.
  @OnEveryRuntime(wasm = DIR + "cpp-properties.wasm")
  void theRootReadsPluginRootId(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.config(c -> c.rootId("properties")).start()) {
      assertEquals(
          List.of("root plugin_root_id = properties"),
          SdkPluginAssertions.distinct(plugin.logs().messages()));
    }
  }

  // Host bug: a stream closed before any callback gets proxy_on_done for a context the plugin never
  // created (Envoy ends only created ones); the C++ SDK calls through a null context and runs
  // until the call deadline.
  @OnEveryRuntime(wasm = DIR + "cpp-early-close.wasm")
  void aStreamClosedBeforeAnyCallbackEndsQuietly(ProxyWasmTestKit kit) throws Exception {
    SdkPluginAssertions.earlyClose(kit);
  }

  @OnEveryRuntime(wasm = DIR + "cpp-early-close.wasm")
  void aStreamDoesItsWorkInOnDoneAndOnLog(ProxyWasmTestKit kit) throws Exception {
    SdkPluginAssertions.workInOnDoneAndOnLog(kit);
  }

  @OnEveryRuntime(wasm = DIR + "cpp-two-roots.wasm")
  void twoRootsInOneVmEachGetTheirAnswer(ProxyWasmTestKit kit) throws Exception {
    List<String> logs = SdkPluginAssertions.twoRoots(kit, "cpp-two-roots.wasm");
    assertTrue(logs.containsAll(List.of("first dispatched", "second dispatched")), logs.toString());
  }

  @OnEveryRuntime(wasm = DIR + "cpp-trailers.wasm")
  void trailersAreReadWhenPresentAndEmptyWhenAbsent(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.start()) {
      ExchangeResult with =
          plugin
              .http()
              .requestHeader(":path", "/t")
              .requestBody("x")
              .requestTrailer("x-req", "1")
              .responseBody("y")
              .responseTrailer("x-resp", "2")
              .run();
      assertTrue(with.failure().isEmpty(), () -> with.failure().toString());
      assertEquals(
          List.of(
              "request trailer x-req: 1",
              "response trailer x-resp: 2",
              // in proxy_on_log Envoy shows the final response trailers, not the request's
              // (Context::getConstMap keeps no access-log copy of request trailers)
              "trailers: request 0, response 1"),
          SdkPluginAssertions.texts(with.logMessages()));

      ExchangeResult without = plugin.http().requestHeader(":path", "/t").run();
      assertTrue(without.failure().isEmpty(), () -> without.failure().toString());
      assertEquals(
          List.of("trailers: request 0, response 0"),
          SdkPluginAssertions.texts(without.logMessages()));
    }
  }

  @OnEveryRuntime(wasm = DIR + "cpp-queues.wasm")
  void aFilterEnqueuesAndTheRootDequeues(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.config(c -> c.vmId("q").pluginConfiguration("q")).start()) {
      assertEquals(
          List.of("registered queue paths: Ok"),
          SdkPluginAssertions.distinct(plugin.logs().messages()));
      plugin.logs().clear();
      ExchangeResult first = plugin.http().requestHeader(":path", "/one").run();
      ExchangeResult second = plugin.http().requestHeader(":path", "/two").run();
      assertTrue(first.failure().isEmpty() && second.failure().isEmpty());
      plugin.runDue();
      assertEquals(
          List.of("dequeued /one", "dequeued /two"),
          SdkPluginAssertions.texts(plugin.logs().messages()));
    }
  }
}

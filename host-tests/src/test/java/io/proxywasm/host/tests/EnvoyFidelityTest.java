package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpCallHandler;
import io.proxywasm.host.HttpCallRequest;
import io.proxywasm.host.HttpCallResponse;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.TcpStream;
import io.proxywasm.host.TcpStreamListener;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.WasmResult;
import io.proxywasm.testkit.RecordingLogSink;
import io.proxywasm.testkit.RecordingStreamListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The host calls whose answers Envoy is exact about, checked with {@code plugins/c/abi_probe.c}:
 * each expectation is the answer of the Envoy or cpp-host function named beside it (the rules are
 * listed in docs/abi-notes.md).
 */
class EnvoyFidelityTest {
  private final RecordingLogSink log = new RecordingLogSink();
  private final ManualScheduler scheduler = new ManualScheduler();
  private final List<HttpCallHandler.Callback> callouts = new ArrayList<>();
  private final List<HttpCallRequest> calls = new ArrayList<>();
  private final ProxyWasmHost host =
      TestSupport.host(log, scheduler)
          .httpCalls(
              (request, callback) -> {
                calls.add(request);
                callouts.add(callback);
                return WasmResult.OK;
              })
          .build();

  @AfterEach
  void tearDown() {
    host.close();
  }

  private Plugin load(String rootId, String configuration) throws PluginLoadException {
    return host.load(
        PluginConfig.builder("probe-" + rootId)
            .rootId(rootId)
            .vmId("probe-vm")
            .runtime(TestSupport.RUNTIME)
            .code(TestSupport.corpus("wasm/c-abi-probe.wasm"))
            .pluginConfiguration(configuration)
            .build());
  }

  private Plugin load() throws PluginLoadException {
    return load("", "plain");
  }

  private HttpStream stream(Worker worker, Plugin plugin) {
    return worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
  }

  private List<String> probes(String prefix) {
    return log.messages().stream().filter(m -> m.startsWith(prefix)).collect(Collectors.toList());
  }

  @Test
  void aCanaryIsDiscardedWithoutDoneOrDeleteAndRootsSeeTheirConfigurationWhenCreated()
      throws Exception {
    try (Plugin plugin = load()) {
      assertTrue(plugin.isAvailable());
      // Envoy/cpp-host: continue/close_stream from a root context do nothing and answer Ok;
      // continue_stream(Upstream) is Unimplemented (12); a root has no stream to set a
      // property on (NotFound); the plugin configuration is readable during the root's
      // proxy_on_context_create (cpp-host ContextBase::onStart's temp_plugin_)
      assertEquals(
          List.of(
              "create.config 0 plain",
              "root.continue 0",
              "root.close 0",
              "root.continue_upstream 12",
              "root.set_property 1"),
          log.messages());
      assertTrue(probes("on_done").isEmpty(), "cpp-host's canary kills its VM: no on_done");
      assertTrue(probes("on_delete").isEmpty());
    }
  }

  @Test
  void headerMapsAreThereUntilTheirCallbackContinues() throws Exception {
    try (Plugin plugin = load();
        Worker worker = host.newWorker()) {
      HttpStream s = stream(worker, plugin);
      log.clear();
      HeaderMap request = HeaderMap.of(":path", "/maps");
      assertEquals(FilterHeadersStatus.CONTINUE, s.onRequestHeaders(request, false));
      assertEquals(
          List.of(
              "req.get 0 /maps",
              "resp.get.early 2", // Context::getHeaderMapValue: map not there: BadArgument
              "resp.add.early 2", // add/replace/remove/size: getMap null: BadArgument
              "resp.size.early 2 0",
              "resp.pairs.early 0 0", // getHeaderMapPairs: Ok, empty
              "body.status.early 0 0", // an absent body reads as Ok, length 0
              "body.set.early 2", // and cannot be set (BufferBase::copyFrom)
              "bytes.add 0",
              "bytes.get 0 fffe"), // header values are bytes: 0xFF 0xFE come back as they went
          log.messages());
      assertEquals("\u00ff\u00fe", request.get("x-bytes").orElseThrow());
      log.clear();
      assertEquals(
          FilterDataStatus.CONTINUE, s.onRequestBody(new BodyBuffer("b".getBytes()), true));
      // Context::decodeHeaders drops request_headers_ once the callback continued
      assertEquals(
          List.of(
              "req.get.after 2", "req.add.after 2", "req.size.after 2 0", "req.pairs.after 0 0"),
          log.messages());
      log.clear();
      s.onResponseHeaders(HeaderMap.of(":status", "201"), true);
      s.onLog();
      // in proxy_on_log the final maps can be read, not changed; a map that is not there is
      // NotFound there (access-log phase), not BadArgument
      assertEquals(
          List.of(
              "resp.get 0 201",
              "log.req.get 0 /maps",
              "log.req.missing 1",
              "log.req.add 2",
              "log.resp.get 0 201",
              "log.req_trailers.get 1"),
          log.messages());
      s.close();
    }
  }

  @Test
  void continueStreamEndsAccessToTheMapsAtOnce() throws Exception {
    try (Plugin plugin = load();
        Worker worker = host.newWorker()) {
      RecordingStreamListener decisions = new RecordingStreamListener();
      HttpStream s = worker.handle(plugin).newHttpStream(decisions);
      log.clear();
      s.onRequestHeaders(HeaderMap.of(":path", "/continue"), true);
      // Context::continueStream: maps dropped at once, Upstream Unimplemented, Downstream a no-op
      // Ok on an HTTP stream, an unknown type BadArgument
      assertEquals(
          List.of(
              "continue.request 0",
              "continue.get 2",
              "continue.upstream 12",
              "continue.downstream 0",
              "continue.bad 2"),
          log.messages());
      assertEquals(
          List.of(StreamType.REQUEST), decisions.resumed(), "resumed once, after the callback");
      s.close();
    }
  }

  @Test
  void aPropertySetOnAStreamIsFoundForTheRestOfTheStream() throws Exception {
    try (Plugin plugin = load("root-a", "plain");
        Worker worker = host.newWorker()) {
      RecordingStreamListener decisions = new RecordingStreamListener();
      HttpStream s =
          worker
              .handle(plugin)
              .newHttpStream(
                  decisions,
                  path ->
                      path.equals(List.of("request", "path"))
                          ? Optional.of("/property".getBytes(StandardCharsets.UTF_8))
                          : Optional.empty());
      log.clear();
      s.onRequestHeaders(HeaderMap.of(":path", "/property"), true);
      List<String> lines = log.messages();
      // Context::setProperty keeps the value as filter state; the C++ SDK's trailing NUL ends
      // the path (Context::getProperty)
      assertEquals(
          List.of(
              "set 0",
              "get 0 v1",
              "get.root_id.nul 0 root-a",
              "get.request_path.nul 0 /property",
              "set.bytes 0",
              "get.bytes 0 ff01"),
          lines);
      assertEquals(
          List.of("[my_key]=2", "[k\u00ff]=2"),
          decisions.propertiesSet().stream().map(p -> p.path() + "=" + p.value().length).toList(),
          "the embedder sees what was set");
      assertArrayEquals(
          new byte[] {(byte) 0xFF, 1}, s.propertiesSet().get(List.of("k\u00ff")), "bytes kept");
      s.close();
    }
  }

  @Test
  void calloutsAcceptEmptyAuthorityRefuseNegativeTimeoutsAndReportResets() throws Exception {
    try (Plugin plugin = load();
        Worker worker = host.newWorker()) {
      HttpStream s = stream(worker, plugin);
      log.clear();
      s.onRequestHeaders(HeaderMap.of(":path", "/callout"), true);
      // Context::httpCall: presence of :method, :path, :authority (an empty value is fine), a
      // negative timeout is BadArgument
      assertEquals(
          List.of("call.empty_authority 0 4", "call.negative_timeout 2", "call.no_authority 2"),
          log.messages());
      assertEquals(1, calls.size());
      assertEquals("", calls.get(0).header(":authority"));
      assertEquals(Duration.ZERO, calls.get(0).timeout());
      log.clear();
      scheduler.advance(Duration.ofDays(1));
      assertTrue(log.messages().isEmpty(), "a timeout of 0 is no timeout");
      callouts.get(0).onFailure("connection reset");
      scheduler.runDue();
      // onHttpCallFailure: no headers, body or trailers; proxy_get_status 11 "reset"; callout
      // maps are read-only (getMap gives nothing for types 4 to 7)
      assertEquals(
          List.of(
              "answer 4 0 0 0",
              "answer.add 2",
              "answer.replace 2",
              "answer.remove 2",
              "answer.size 2 0",
              "answer.pairs 0 0",
              "answer.status 11 reset"),
          log.messages());
      s.close();
    }
  }

  @Test
  void calloutTokensAreNumberedPerVmNotPerRootContext() throws Exception {
    try (Plugin a = load("a", "plain");
        Plugin b = load("b", "plain");
        Worker worker = host.newWorker()) {
      assertEquals(a.vmKey(), b.vmKey(), "one VM, two root contexts");
      stream(worker, a).onRequestHeaders(HeaderMap.of(":path", "/token"), true);
      stream(worker, b).onRequestHeaders(HeaderMap.of(":path", "/token"), true);
      // cpp-host WasmBase::nextHttpCallId: 4, 8, ... for the whole VM
      assertEquals(List.of("token 0 4", "token 0 8"), probes("token"));
    }
  }

  @Test
  void metricsLocalRepliesGrpcTokensContextsAndStdout() throws Exception {
    try (Plugin plugin = load();
        Worker worker = host.newWorker()) {
      RecordingStreamListener decisions = new RecordingStreamListener();
      HttpStream s = worker.handle(plugin).newHttpStream(decisions);
      log.clear();
      s.onRequestHeaders(HeaderMap.of(":path", "/misc"), true);
      assertEquals(
          List.of(
              "metric.new_id 0", // Context::defineMetric: a new id for each definition
              "metric.same_stat 0 3", // ... of the same stat
              "metric.increment_histogram 2",
              "metric.get_histogram 2",
              "metric.increment_unknown 1", // a counter id never defined: NotFound
              "grpc.send_http_token 2", // grpcSend on a token that is not a stream's
              "grpc.close_http_token 2",
              "grpc.cancel_bad_kind 2",
              "grpc.cancel_unknown_call 1",
              "", // writevImpl: a lone newline logs an empty line
              "fd_write.newline 0 1",
              "local 0",
              "effective.vm 0"), // set_effective_context(0): the VM context exists (Ok)
          log.messages());
      LocalResponse reply = decisions.localResponses().get(0);
      // Envoy's sendLocalReply: lower-case names, white space in details as '_', and a gRPC
      // status outside 0..16 dropped
      assertEquals(List.of(Header.of("x-upper", "v")), reply.headers());
      assertEquals("not_allowed_here", reply.details());
      assertEquals(-1, reply.grpcStatus());
      s.close();
    }
  }

  @Test
  void aStreamThePluginNeverSawCallsNothingWhenItCloses() throws Exception {
    try (Plugin plugin = load();
        Worker worker = host.newWorker()) {
      worker.handle(plugin).rootContextId(); // starts the root context on the worker
      log.clear();
      // a client abort, or an earlier filter rejecting: Context::onDestroy and onCloseTCP call
      // nothing for a context that was never created in the VM
      stream(worker, plugin).close();
      TcpStream tcp =
          worker.handle(plugin).newTcpStream(TcpStreamListener.IGNORE, path -> Optional.empty());
      tcp.onConnectionClose(StreamType.DOWNSTREAM, PeerType.REMOTE);
      tcp.close();
      assertEquals(List.of(), log.messages());
      // a response the plugin's request side never saw passes untouched (encodeHeaders)
      HttpStream s = stream(worker, plugin);
      assertEquals(
          FilterHeadersStatus.CONTINUE, s.onResponseHeaders(HeaderMap.of(":status", "403"), true));
      assertEquals(List.of(), log.messages());
      // but the access log creates the context so the plugin can log the request (Context::log)
      s.onLog();
      s.close();
      assertFalse(log.messages().isEmpty());
      assertEquals("log.req.get 1", log.messages().get(0), "no request map reached the plugin");
      assertTrue(log.messages().get(log.messages().size() - 1).startsWith("on_delete"));
    }
  }

  @Test
  void closingAPluginShutsItsRootDownOnEveryWorker() throws Exception {
    Plugin plugin = load("ticker", "tick");
    Worker one = host.newWorker();
    Worker two = host.newWorker();
    int rootOne = one.handle(plugin).rootContextId().orElseThrow();
    int rootTwo = two.handle(plugin).rootContextId().orElseThrow();
    HttpStream waiting = stream(one, plugin);
    waiting.onRequestHeaders(HeaderMap.of(":path", "/token"), true); // a callout, pending
    log.clear();
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(2, probes("tick").size());
    log.clear();
    plugin.close();
    // cpp-host's per-thread plugin handle: on_done and on_delete on each worker, ticks stop
    List<String> lines = log.messages();
    assertEquals(4, lines.size(), lines.toString());
    for (int root : new int[] {rootOne, rootTwo}) {
      int done = lines.indexOf("on_done 0 " + root);
      int delete = lines.indexOf("on_delete 0 " + root);
      assertTrue(done >= 0 && delete > done, lines.toString());
    }
    log.clear();
    scheduler.advance(Duration.ofSeconds(5));
    assertEquals(List.of(), log.messages(), "no more ticks");
    callouts
        .get(0)
        .onResponse(
            new HttpCallResponse(List.of(Header.of(":status", "200")), new byte[0], List.of()));
    scheduler.runDue();
    assertEquals(List.of(), log.messages(), "a pending callout's answer reaches nobody");
    assertThrows(
        IllegalStateException.class,
        () -> one.handle(plugin).newHttpStream(HttpStreamListener.IGNORE));
    one.close();
    two.close();
  }

  @Test
  void aPluginLoadedAgainKeepsTheRootItSharesWhenTheOldOneCloses() throws Exception {
    Plugin old = load("same", "plain");
    Plugin again = load("same", "plain"); // a reload of the same plugin: the same plugin key
    try (Worker worker = host.newWorker()) {
      int root = worker.handle(old).rootContextId().orElseThrow();
      assertEquals(root, worker.handle(again).rootContextId().orElseThrow(), "one root context");
      log.clear();
      old.close();
      assertEquals(
          List.of(), probes("on_done 0 " + root), "the root still serves the plugin loaded again");
      HttpStream s = stream(worker, again);
      assertEquals(
          FilterHeadersStatus.CONTINUE, s.onRequestHeaders(HeaderMap.of(":path", "/x"), true));
      s.close();
      assertEquals(List.of(), probes("on_done 0 " + root));
      again.close();
      assertEquals(
          List.of("on_done 0 " + root), probes("on_done 0 " + root), "the last one shuts it down");
    }
  }

  @Test
  void proxyDoneFromAStreamContextFindsThePendingRoot() throws Exception {
    Plugin plugin = load("linger", "linger");
    try (Worker worker = host.newWorker()) {
      HttpStream s = stream(worker, plugin);
      int root = worker.handle(plugin).rootContextId().orElseThrow();
      s.onRequestHeaders(HeaderMap.of(":path", "/"), true);
      log.clear();
      plugin.close();
      assertEquals(List.of("on_done 0 " + root), log.messages(), "on_done answered false");
      log.clear();
      s.onResponseHeaders(HeaderMap.of(":status", "200"), true);
      // cpp-host WasmBase::done: the pending root is found by its plugin's key from any context
      assertEquals(
          List.of("resp.get 0 200", "done.from_stream 0", "on_delete 0 " + root), log.messages());
      s.close();
    }
  }

  private static final String START_CALLS =
      "(module\n"
          + "  (import \"env\" \"proxy_log\" (func $log (param i32 i32 i32) (result i32)))\n"
          + "  (import \"env\" \"proxy_get_property\""
          + "    (func $prop (param i32 i32 i32 i32) (result i32)))\n"
          + "  (import \"wasi_snapshot_preview1\" \"clock_time_get\""
          + "    (func $clock (param i32 i64 i32) (result i32)))\n"
          + "  (import \"wasi_snapshot_preview1\" \"random_get\""
          + "    (func $random (param i32 i32) (result i32)))\n"
          + "  (memory (export \"memory\") 1)\n"
          + "  (func (export \"malloc\") (param i32) (result i32) (i32.const 1024))\n"
          + "  (func (export \"proxy_abi_version_0_2_1\"))\n"
          + "  (func (export \"_initialize\")\n"
          + "    (drop (call $log (i32.const 2) (i32.const 0) (i32.const 4)))\n"
          + "    (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 16)))\n"
          + "    (drop (call $random (i32.const 32) (i32.const 8)))\n"
          + "    CALL))";

  @Test
  void whileTheModuleStartsOnlyTheCallsEnvoyAllowsAreAllowed() throws Exception {
    // cpp-host WasmBase::startVm: logging, clocks, random, args and environment may be called
    try (Plugin ok =
        host.load(
            PluginConfig.builder("start-ok")
                .runtime(TestSupport.RUNTIME)
                .code(TestSupport.watText(START_CALLS.replace("CALL", "")))
                .build())) {
      assertTrue(ok.isAvailable());
    }
    // anything else traps, with the call named
    PluginLoadException e =
        assertThrows(
            PluginLoadException.class,
            () ->
                host.load(
                    PluginConfig.builder("start-bad")
                        .runtime(TestSupport.RUNTIME)
                        .code(
                            TestSupport.watText(
                                START_CALLS.replace(
                                    "CALL",
                                    "(drop (call $prop (i32.const 0) (i32.const 4)"
                                        + " (i32.const 64) (i32.const 68)))")))
                        .build()));
    assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, e.failState());
    assertTrue(
        e.getMessage().contains("env.proxy_get_property may not be called while the module starts"),
        e.getMessage());
  }
}

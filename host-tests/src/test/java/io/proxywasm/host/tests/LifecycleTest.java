package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.TcpStream;
import io.proxywasm.host.TcpStreamListener;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.FilterTrailersStatus;
import io.proxywasm.testkit.RecordingLogSink;
import io.proxywasm.testkit.RecordingStreamListener;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The order of callbacks through a plugin's life, on a real module. */
class LifecycleTest {
  private final RecordingLogSink log = new RecordingLogSink();
  private final ManualScheduler scheduler = new ManualScheduler();
  private ProxyWasmHost host;

  @BeforeEach
  void setUp() {
    host = TestSupport.host(log, scheduler).build();
  }

  @AfterEach
  void tearDown() {
    host.close();
  }

  private Plugin load(String pluginConfig) throws PluginLoadException {
    return host.load(
        PluginConfig.builder("recorder")
            .rootId("root")
            .vmId("vm")
            .runtime(TestSupport.RUNTIME)
            .code(TestSupport.wat("recorder.wat"))
            .vmConfiguration("vmcfg")
            .pluginConfiguration(pluginConfig)
            .build());
  }

  @Test
  void rootAndStreamLifecycleInOrder() throws Exception {
    try (Plugin plugin = load("x")) {
      assertEquals(AbiVersion.V0_2_1, plugin.abiVersion());
      assertEquals(TestSupport.RUNTIME, plugin.info().runtime());
      // canary: root context 1 created, started, configured, then discarded without on_done or
      // on_delete, as cpp-host's canary kills its VM
      assertEquals(
          List.of("context_create 1 0 0", "vm_start 1 5 0", "configure 1 1 0"), log.messages());
      log.clear();
      try (Worker worker = host.newWorker()) {
        PluginHandle handle = worker.handle(plugin);
        HttpStream stream = handle.newHttpStream(HttpStreamListener.IGNORE);
        HeaderMap request = HeaderMap.of(":path", "/", ":method", "GET");
        assertEquals(FilterHeadersStatus.CONTINUE, stream.onRequestHeaders(request, false));
        assertEquals(
            FilterDataStatus.CONTINUE, stream.onRequestBody(new BodyBuffer(new byte[3]), true));
        assertEquals(
            FilterTrailersStatus.CONTINUE, stream.onRequestTrailers(HeaderMap.of("t", "1")));
        assertEquals(
            FilterHeadersStatus.CONTINUE,
            stream.onResponseHeaders(HeaderMap.of(":status", "200"), true));
        stream.onLog();
        stream.close();
        stream.close();
        assertEquals(
            List.of(
                "context_create 1 0 0",
                "vm_start 1 5 0",
                "configure 1 1 0",
                "context_create 2 1 0",
                "request_headers 2 2 0",
                "request_body 2 3 1",
                "request_trailers 2 1 0",
                "response_headers 2 1 1",
                "log 2 0 0",
                "done 2 0 0",
                "delete 2 0 0"),
            log.messages());
        log.clear();
      }
      assertEquals(List.of("done 1 0 0", "delete 1 0 0"), log.messages());
    }
  }

  @Test
  void pauseConvertsToStopAllIterationAndWatermark() throws Exception {
    try (Plugin plugin = load("p");
        Worker worker = host.newWorker()) {
      HttpStream stream = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
          stream.onRequestHeaders(new HeaderMap(), true));
      stream.close();
    }
  }

  @Test
  void configurationRejectedAtLoadTime() {
    PluginLoadException e = assertThrows(PluginLoadException.class, () -> load("r"));
    assertEquals(FailState.CONFIGURE_FAILED, e.failState());
    assertTrue(e.getMessage().contains("Failed to configure Wasm plugin recorder"), e.getMessage());
  }

  @Test
  void contextIdsAreNotReusedWhileLive() throws Exception {
    try (Plugin plugin = load("x");
        Worker worker = host.newWorker()) {
      PluginHandle handle = worker.handle(plugin);
      HttpStream a = handle.newHttpStream(HttpStreamListener.IGNORE);
      HttpStream b = handle.newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(2, a.contextId());
      assertEquals(3, b.contextId());
      a.close();
      HttpStream c = handle.newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(4, c.contextId());
      b.close();
      c.close();
    }
  }

  @Test
  void contextIdsFollowTheOrderStreamsOpenIn() throws Exception {
    // Envoy numbers a stream's context when its filter is made (the stream opens), and calls
    // proxy_on_context_create at its first event: the second stream opened keeps the second id
    // even when its first event comes first.
    try (Plugin plugin = load("x");
        Worker worker = host.newWorker()) {
      PluginHandle handle = worker.handle(plugin);
      handle.rootContextId().orElseThrow();
      log.clear();
      HttpStream first = handle.newHttpStream(HttpStreamListener.IGNORE);
      HttpStream second = handle.newHttpStream(HttpStreamListener.IGNORE);
      HeaderMap request = HeaderMap.of(":path", "/");
      assertEquals(FilterHeadersStatus.CONTINUE, second.onRequestHeaders(request, true));
      assertEquals(FilterHeadersStatus.CONTINUE, first.onRequestHeaders(request, true));
      second.close();
      first.close();
      assertEquals(
          List.of(
              "context_create 3 1 0",
              "request_headers 3 1 1",
              "context_create 2 1 0",
              "request_headers 2 1 1",
              "done 3 0 0",
              "delete 3 0 0",
              "done 2 0 0",
              "delete 2 0 0"),
          log.messages());
      assertEquals(2, first.contextId());
      assertEquals(3, second.contextId());
      assertEquals(1, worker.liveContexts(), "only the root context stays alive");
    }
  }

  @Test
  void aStreamClosedBeforeAnyEventKeepsItsIdAndCallsNothing() throws Exception {
    // Envoy's Context::onDestroy and onCloseTCP call nothing for a context the plugin never saw;
    // its id was taken when the stream opened and is not given again.
    try (Plugin plugin = load("x");
        Worker worker = host.newWorker()) {
      PluginHandle handle = worker.handle(plugin);
      handle.rootContextId().orElseThrow();
      log.clear();
      HttpStream aborted = handle.newHttpStream(HttpStreamListener.IGNORE);
      aborted.close();
      TcpStream connection = handle.newTcpStream(TcpStreamListener.IGNORE, PropertyResolver.NONE);
      connection.close();
      assertEquals(List.of(), log.messages(), "no plugin call for streams it never saw");
      assertEquals(2, aborted.contextId(), "the id taken at open stays the stream's");
      assertEquals(3, connection.contextId());
      assertEquals(1, worker.liveContexts(), "nothing left in the VM");

      HttpStream next = handle.newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(
          FilterHeadersStatus.CONTINUE, next.onRequestHeaders(HeaderMap.of(":path", "/"), true));
      next.close();
      assertEquals(4, next.contextId(), "the next stream takes the next id, not a closed one's");
      assertEquals(
          List.of("context_create 4 1 0", "request_headers 4 1 1", "done 4 0 0", "delete 4 0 0"),
          log.messages());
    }
  }

  @Test
  void localResponseStopsIterationAndReachesTheListener() throws Exception {
    try (Plugin plugin = load("l");
        Worker worker = host.newWorker()) {
      RecordingStreamListener decisions = new RecordingStreamListener();
      HttpStream stream = worker.handle(plugin).newHttpStream(decisions);
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
          stream.onRequestHeaders(new HeaderMap(), true));
      assertEquals(1, decisions.localResponses().size());
      assertEquals(403, decisions.localResponses().get(0).status());
      assertEquals("denied", decisions.localResponses().get(0).bodyText());
      assertEquals("denied", decisions.localResponses().get(0).details());
      assertEquals(-1, decisions.localResponses().get(0).grpcStatus());
      assertEquals(decisions.localResponses().get(0), stream.localResponse().orElseThrow());
      stream.close();
    }
  }

  @Test
  void noTickWithoutPeriod() throws Exception {
    try (Plugin plugin = load("x");
        Worker worker = host.newWorker()) {
      PluginHandle handle = worker.handle(plugin);
      assertEquals(0L, handle.tickPeriodMillis().orElseThrow());
      scheduler.advance(Duration.ofSeconds(10));
      assertTrue(log.messages().stream().noneMatch(m -> m.startsWith("tick")));
      assertTrue(handle.tick());
      assertTrue(log.messages().contains("tick 1 0 0"));
    }
  }
}

package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpCallHandler;
import io.proxywasm.host.HttpCallRequest;
import io.proxywasm.host.HttpCallResponse;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginFailure;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.WasmResult;
import io.proxywasm.testkit.RecordingLogSink;
import io.proxywasm.testkit.RecordingStreamListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Header, property, metric, shared data, queue, buffer and callout host calls on a real module. */
class HostCallsTest {
  private final RecordingLogSink log = new RecordingLogSink();
  private final ManualScheduler scheduler = new ManualScheduler();
  private final List<HttpCallRequest> calls = new ArrayList<>();
  private final List<HttpCallHandler.Callback> callbacks = new ArrayList<>();
  private final ProxyWasmHost host =
      TestSupport.host(log, scheduler)
          .httpCalls(
              (request, callback) -> {
                if (!request.upstream().equals("upstream")) {
                  return WasmResult.BAD_ARGUMENT;
                }
                calls.add(request);
                callbacks.add(callback);
                return WasmResult.OK;
              })
          .build();

  @AfterEach
  void tearDown() {
    host.close();
  }

  private Plugin load() throws PluginLoadException {
    return host.load(
        PluginConfig.builder("features")
            .vmId("features-vm")
            .runtime(TestSupport.RUNTIME)
            .code(TestSupport.wat("features.wat"))
            .build());
  }

  @Test
  void headerMutationsPropertiesMetricsSharedDataAndQueues() throws Exception {
    try (Plugin plugin = load();
        Worker worker = host.newWorker()) {
      HttpStream stream = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
      HeaderMap request = HeaderMap.of(":path", "/a/b", "x-remove-me", "1", "X-Remove-Me", "2");
      assertEquals(FilterHeadersStatus.CONTINUE, stream.onRequestHeaders(request, false));
      assertEquals(
          List.of(
              Header.of(":path", "/a/b"),
              Header.of("x-path-seen", "/a/b"),
              Header.of("x-plugin-name", "features")),
          request.entries());

      assertEquals(
          1, host.extension().pluginMetric(MetricType.COUNTER, "requests", plugin.info()).value());
      var shared = host.sharedData().get("features-vm", "last-path").orElseThrow();
      assertArrayEquals("/a/b".getBytes(StandardCharsets.UTF_8), shared.value());

      assertTrue(log.messages().isEmpty(), "queue delivery waits for the scheduler");
      scheduler.runDue();
      assertEquals(List.of("/a/b"), log.messages());

      BodyBuffer body = new BodyBuffer("original body".getBytes(StandardCharsets.UTF_8));
      assertEquals(FilterDataStatus.CONTINUE, stream.onRequestBody(body, true));
      assertEquals("REPLACED", new String(body.bytes(), StandardCharsets.UTF_8));

      HeaderMap response = HeaderMap.of(":status", "200", "a", "1", "a", "2", "ü", "ÿ");
      List<Header> before = response.entries();
      assertEquals(FilterHeadersStatus.CONTINUE, stream.onResponseHeaders(response, true));
      assertEquals(before, response.entries(), "pairs round trip keeps order and duplicates");
      stream.close();
    }
  }

  @Test
  void calloutPausesTheStreamAndTheResponseResumesIt() throws Exception {
    try (Plugin plugin = load();
        Worker worker = host.newWorker()) {
      RecordingStreamListener decisions = new RecordingStreamListener();
      HttpStream stream = worker.handle(plugin).newHttpStream(decisions);
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
          stream.onRequestHeaders(HeaderMap.of(":path", "/callout"), true));
      assertEquals(1, calls.size());
      HttpCallRequest call = calls.get(0);
      assertEquals("upstream", call.upstream());
      assertEquals("/callout", call.header(":path"));
      assertEquals(Duration.ofSeconds(5), call.timeout());
      scheduler.runDue();
      log.clear();

      callbacks
          .get(0)
          .onResponse(
              new HttpCallResponse(
                  List.of(Header.of(":status", "200")),
                  "pong".getBytes(StandardCharsets.UTF_8),
                  List.of()));
      assertTrue(
          decisions.resumed().isEmpty(), "the answer is delivered on the scheduler, not inline");
      scheduler.runDue();
      assertEquals(List.of("callout 1 4 0", "pong"), log.messages());
      assertEquals(List.of(StreamType.REQUEST), decisions.resumed());

      log.clear();
      scheduler.advance(Duration.ofSeconds(10));
      assertTrue(log.messages().isEmpty(), "no second answer after the timeout");
      stream.close();
    }
  }

  @Test
  void calloutTimeoutCallsThePluginBackOnce() throws Exception {
    try (Plugin plugin = load();
        Worker worker = host.newWorker()) {
      HttpStream stream = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
      stream.onRequestHeaders(HeaderMap.of(":path", "/callout"), true);
      scheduler.runDue();
      log.clear();
      scheduler.advance(Duration.ofMillis(4999));
      assertTrue(log.messages().isEmpty());
      scheduler.advance(Duration.ofMillis(1));
      // Envoy's async client answers a timeout with its router's local reply: 504, 3 headers and
      // the 24-byte body "upstream request timeout"
      List<String> answer = List.of("callout 3 24 0", "upstream request timeout");
      assertEquals(answer, log.messages());
      callbacks.get(0).onFailure("too late");
      scheduler.runDue();
      assertEquals(answer, log.messages(), "no second answer");
      stream.close();
    }
  }

  @Test
  void anAllocatorMayOnlyMakeTheHostCallsEnvoyAllowsThere() throws Exception {
    // reentrant-malloc.wat's allocator calls proxy_get_header_map_value: cpp-host's allocMemory
    // allows only logging, fd_write, clock_time_get and poll_oneoff there, and the call traps
    try (Plugin plugin =
            host.load(
                PluginConfig.builder("reentrant")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.wat("reentrant-malloc.wat"))
                    .build());
        Worker worker = host.newWorker()) {
      HttpStream s = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
          s.onRequestHeaders(HeaderMap.of(":path", "/", "x-one", "1"), true));
      PluginFailure failure = s.failure().orElseThrow();
      assertEquals(PluginFailure.Cause.TRAP, failure.cause());
      assertTrue(
          failure.message().contains("env.proxy_get_header_map_value may not be called inside"),
          failure.message());
      assertEquals(503, s.localResponse().orElseThrow().status(), "fail closed");
      s.close();
    }
  }
}

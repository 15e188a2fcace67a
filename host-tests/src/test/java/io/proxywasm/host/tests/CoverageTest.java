package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterMetadataStatus;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.StreamType;
import io.proxywasm.testkit.RecordingLogSink;
import io.proxywasm.testkit.RecordingStreamListener;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Host calls' success paths, metric semantics, metadata, the body buffer limit, the allocator
 * fallback and deferred root shutdown with proxy_done.
 */
class CoverageTest {
  private final RecordingLogSink log = new RecordingLogSink();
  private final ManualScheduler scheduler = new ManualScheduler();
  private final ProxyWasmHost host = TestSupport.host(log, scheduler).build();

  @AfterEach
  void tearDown() {
    host.close();
  }

  private Plugin load(long bodyLimit) throws PluginLoadException {
    return host.load(
        PluginConfig.builder("coverage")
            .runtime(TestSupport.RUNTIME)
            .code(TestSupport.wat("coverage.wat"))
            .logLevel(LogLevel.DEBUG)
            .bodyBufferLimitBytes(bodyLimit)
            .build());
  }

  @Test
  void logLevelPropertiesAndMetricSemantics() throws Exception {
    try (Plugin plugin = load(1 << 20)) {
      assertEquals(
          List.of(
              "level 0 1 0", // proxy_get_log_level: Ok, debug (1)
              "setprop 1 0 0", // a root context has no stream to keep it on: NotFound
              "counter 2 0 5", // +0: BadArgument; record adds 5; get Ok + value 5
              "gauge 0 0 42", // add -5 then set 42; get Ok + 42
              "hist 2 0 2", // increment: BadArgument; record Ok; get: BadArgument
              "shared 0 1 1", // get_shared_data: Ok, 1 byte, cas 1
              "misc 1 0 0", // pthread_equal 1 + 0; args_sizes_get Ok, argc 0
              "status 1 1 1", // unknown property, missing key, unknown queue: NotFound
              "status 8 7 0"), // stale cas: CasMismatch; empty queue: Empty
          // the canary is discarded after configure without proxy_on_done (cpp-host)
          log.messages());
      assertEquals(
          5, host.extension().pluginMetric(MetricType.COUNTER, "c", plugin.info()).value());
      assertEquals(42, host.extension().pluginMetric(MetricType.GAUGE, "g", plugin.info()).value());
    }
  }

  @Test
  void streamPathsMetadataAndBufferLimit() throws Exception {
    try (Plugin plugin = load(8);
        Worker worker = host.newWorker()) {
      RecordingStreamListener decisions = new RecordingStreamListener();
      HttpStream stream = worker.handle(plugin).newHttpStream(decisions);
      log.clear();
      stream.onRequestHeaders(HeaderMap.of("ab", "cd", "e", "f"), false);
      assertEquals(
          FilterDataStatus.STOP_ITERATION_AND_BUFFER,
          stream.onRequestBody(new BodyBuffer(new byte[5]), false));
      assertEquals(
          FilterDataStatus.STOP_ITERATION_NO_BUFFER,
          stream.onRequestBody(new BodyBuffer(new byte[9]), true),
          "9 buffered bytes are over the limit of 8");
      assertEquals(FilterMetadataStatus.CONTINUE, stream.onRequestMetadata(HeaderMap.of("m", "1")));
      assertEquals(
          FilterMetadataStatus.CONTINUE,
          stream.onResponseMetadata(HeaderMap.of("m", "1", "n", "2")));
      stream.onResponseHeaders(HeaderMap.of(":status", "200"), true);
      stream.close();
      assertEquals(
          List.of(
              "size 0 6 0", // map size = 6 bytes of names and values; no body yet: Ok, empty
              "body 0 5 0",
              "meta 1 0 0",
              "meta 2 1 0",
              "close 0 0 0",
              "delete " + stream.contextId() + " 0 0"),
          log.messages());
      LocalResponse reply = decisions.localResponses().get(0);
      assertEquals(1, decisions.localResponses().size());
      assertEquals(413, reply.status());
      assertEquals("request_payload_too_large", reply.details());
      assertEquals(List.of(StreamType.RESPONSE), decisions.closed());
    }
  }

  @Test
  void rootShutdownWaitsForProxyDone() throws Exception {
    try (Plugin plugin = load(1 << 20)) {
      Worker worker = host.newWorker();
      PluginHandle handle = worker.handle(plugin);
      int root = handle.rootContextId().orElseThrow();
      log.clear();
      worker.close();
      assertEquals(List.of("rootdone " + root + " 0 0"), log.messages(), "not deleted yet");
      scheduler.advance(Duration.ofMillis(1000));
      assertEquals(
          List.of("rootdone " + root + " 0 0", "tick 0 0 0", "delete " + root + " 0 0"),
          log.messages());
      log.clear();
      scheduler.advance(Duration.ofSeconds(5));
      assertTrue(log.messages().isEmpty(), "the VM is gone: no more ticks");
    }
  }

  @Test
  void allocatorFallsBackToProxyOnMemoryAllocate(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("allocate.wasm");
    java.nio.file.Files.write(file, TestSupport.wat("allocate.wat"));
    try (Plugin plugin =
        host.load(
            PluginConfig.builder("allocating").runtime(TestSupport.RUNTIME).code(file).build())) {
      assertEquals(List.of("allocating"), log.messages());
      assertEquals("allocating", plugin.info().name());
    }
    java.io.UncheckedIOException missing =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.io.UncheckedIOException.class,
            () -> PluginConfig.builder("ghost").code(dir.resolve("missing.wasm")));
    assertTrue(missing.getMessage().contains("cannot read the code of plugin ghost"));
  }
}

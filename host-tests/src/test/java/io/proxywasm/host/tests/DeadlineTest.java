package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginFailure;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.testkit.RecordingLogSink;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A plugin stuck in a loop is stopped by the call deadline; a plugin cannot grow past its memory
 * limit; the worker stays usable.
 */
class DeadlineTest {
  private final RecordingLogSink log = new RecordingLogSink();

  private PluginConfig.Builder looper() {
    return PluginConfig.builder("looper")
        .runtime(TestSupport.RUNTIME)
        .code(TestSupport.wat("looper.wat"))
        .callDeadline(Duration.ofMillis(200));
  }

  @Test
  void infiniteLoopInACallbackIsStoppedAndTheNextRequestSucceeds() throws Exception {
    try (ProxyWasmHost host = TestSupport.host(log, new ManualScheduler()).build();
        Plugin plugin = host.load(looper().build());
        Worker worker = host.newWorker()) {
      PluginHandle handle = worker.handle(plugin);
      HttpStream stuck = handle.newHttpStream(HttpStreamListener.IGNORE);
      long start = System.nanoTime();
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
          stuck.onRequestHeaders(HeaderMap.of("a", "1", "b", "2", "c", "3"), true));
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(tookMillis < 10_000, "stopped, after " + tookMillis + " ms");
      assertFalse(Thread.currentThread().isInterrupted(), "no interrupt leaks to the embedder");
      LocalResponse reply = stuck.localResponse().orElseThrow();
      assertEquals(503, reply.status());
      PluginFailure failure = stuck.failure().orElseThrow();
      assertEquals(PluginFailure.Cause.DEADLINE_EXCEEDED, failure.cause(), failure.toString());
      assertEquals(FailState.RUNTIME_ERROR, failure.state());
      assertTrue(
          failure.message().contains("proxy_on_request_headers failed: execution deadline"),
          failure.message());
      stuck.close();

      HttpStream next = handle.newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(
          FilterHeadersStatus.CONTINUE, next.onRequestHeaders(HeaderMap.of("a", "1"), true));
      assertEquals(java.util.Optional.empty(), next.failure(), "a fresh clone serves it");
      next.close();
    }
  }

  @Test
  void aTrapIsReportedAsATrapNotADeadline() throws Exception {
    try (ProxyWasmHost host = TestSupport.host(log, new ManualScheduler()).build();
        Plugin plugin =
            host.load(
                PluginConfig.builder("trapper")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.corpus("wasm/trap-in-request-headers.wasm"))
                    .build());
        Worker worker = host.newWorker()) {
      HttpStream s = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(java.util.Optional.empty(), s.failure(), "healthy before the call");
      s.onRequestHeaders(HeaderMap.of(":path", "/"), true);
      PluginFailure failure = s.failure().orElseThrow();
      assertEquals(PluginFailure.Cause.TRAP, failure.cause(), failure.toString());
      assertTrue(failure.message().contains("proxy_on_request_headers"), failure.message());
      s.close();
    }
  }

  @Test
  void aStreamOnAnUnavailablePluginSaysSo() throws Exception {
    try (ProxyWasmHost host = TestSupport.host(log, new ManualScheduler()).build();
        Plugin plugin =
            host.unavailable(PluginConfig.builder("gone").code(new byte[0]).build(), "no code");
        Worker worker = host.newWorker()) {
      HttpStream s = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(PluginFailure.Cause.UNAVAILABLE, s.failure().orElseThrow().cause());
      s.close();
    }
  }

  @Test
  void loopAtLoadTimeFailsTheLoadWithTheDeadlineNamed() {
    try (ProxyWasmHost host = ProxyWasmHost.builder().logSink(log).build()) {
      PluginLoadException e =
          assertThrows(
              PluginLoadException.class,
              () -> host.load(looper().pluginConfiguration("loop").build()));
      assertEquals(FailState.CONFIGURE_FAILED, e.failState());
      assertTrue(
          e.getMessage().contains("proxy_on_configure failed: execution deadline of 200 ms"),
          e.getMessage());
      assertFalse(Thread.currentThread().isInterrupted());
    }
  }

  @Test
  void memoryGrowthStopsAtTheLimit() throws Exception {
    byte[] grower =
        TestSupport.watText(
            "(module (memory (export \"memory\") 1)\n"
                + "  (func (export \"proxy_abi_version_0_2_1\"))\n"
                + "  (func (export \"malloc\") (param i32) (result i32) (i32.const 1024))\n"
                + "  (func (export \"proxy_on_request_headers\") (param i32 i32 i32) (result i32)\n"
                + "    (i32.ne (memory.grow (local.get 1)) (i32.const -1))))");
    try (ProxyWasmHost host = TestSupport.host(log, new ManualScheduler()).build();
        Plugin plugin =
            host.load(
                PluginConfig.builder("grower")
                    .runtime(TestSupport.RUNTIME)
                    .code(grower)
                    .memoryLimitBytes(4 * 65536)
                    .build());
        Worker worker = host.newWorker()) {
      HttpStream stream = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
      // grow by 3 pages (1 -> 4): allowed, the plugin pauses to say so
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
          stream.onRequestHeaders(HeaderMap.of("a", "1", "b", "2", "c", "3"), false));
      // grow by 1 more page: refused inside the plugin (-1), which continues; nothing failed
      assertEquals(
          FilterHeadersStatus.CONTINUE, stream.onRequestHeaders(HeaderMap.of("a", "1"), true));
      assertTrue(stream.localResponse().isEmpty());
      stream.close();
    }
  }
}

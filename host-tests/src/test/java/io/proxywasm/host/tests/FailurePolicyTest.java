package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.testkit.RecordingLogSink;
import io.proxywasm.testkit.RecordingStreamListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A trap fails the clone; the stream gets the plugin's fail policy; the next stream is fresh. */
class FailurePolicyTest {
  private final RecordingLogSink log = new RecordingLogSink();
  private final ProxyWasmHost host = TestSupport.host(log, new ManualScheduler()).build();

  @AfterEach
  void tearDown() {
    host.close();
  }

  private Plugin trapping(FailPolicy policy) throws PluginLoadException {
    return host.load(
        PluginConfig.builder("trapper-" + policy)
            .runtime(TestSupport.RUNTIME)
            .code(TestSupport.wat("recorder.wat"))
            .pluginConfiguration("t")
            .failPolicy(policy)
            .build());
  }

  @Test
  void failClosedSends503AndNextStreamGetsAFreshClone() throws Exception {
    try (Plugin plugin = trapping(FailPolicy.FAIL_CLOSED);
        Worker worker = host.newWorker()) {
      PluginHandle handle = worker.handle(plugin);
      RecordingStreamListener decisions = new RecordingStreamListener();
      HttpStream first = handle.newHttpStream(decisions);
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
          first.onRequestHeaders(new HeaderMap(), false));
      assertEquals(1, decisions.localResponses().size());
      assertEquals(503, decisions.localResponses().get(0).status());
      assertEquals("wasm_fail_stream", decisions.localResponses().get(0).details());
      assertEquals(
          FilterDataStatus.STOP_ITERATION_NO_BUFFER, first.onRequestBody(new BodyBuffer(), true));
      assertEquals(1, decisions.localResponses().size(), "the stream is failed once");
      first.close();

      log.clear();
      HttpStream second = handle.newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
          second.onRequestHeaders(new HeaderMap(), false));
      assertTrue(
          log.messages().contains("context_create 1 0 0"),
          "a fresh clone starts the root context again: " + log.messages());
      assertNotEquals(0, second.contextId());
      second.close();
    }
  }

  @Test
  void failOpenContinues() throws Exception {
    try (Plugin plugin = trapping(FailPolicy.FAIL_OPEN);
        Worker worker = host.newWorker()) {
      HttpStream stream = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(FilterHeadersStatus.CONTINUE, stream.onRequestHeaders(new HeaderMap(), false));
      assertEquals(FilterDataStatus.CONTINUE, stream.onRequestBody(new BodyBuffer(), true));
      assertTrue(stream.localResponse().isEmpty());
      stream.close();
    }
  }

  @Test
  void otherPluginsKeepWorking() throws Exception {
    try (Plugin bad = trapping(FailPolicy.FAIL_CLOSED);
        Plugin good =
            host.load(
                PluginConfig.builder("good")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.wat("recorder.wat"))
                    .pluginConfiguration("x")
                    .build());
        Worker worker = host.newWorker()) {
      HttpStream failing = worker.handle(bad).newHttpStream(HttpStreamListener.IGNORE);
      failing.onRequestHeaders(new HeaderMap(), true);
      HttpStream fine = worker.handle(good).newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(FilterHeadersStatus.CONTINUE, fine.onRequestHeaders(new HeaderMap(), true));
      failing.close();
      fine.close();
    }
  }
}

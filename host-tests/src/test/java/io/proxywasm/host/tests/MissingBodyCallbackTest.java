package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.testkit.RecordingLogSink;
import io.proxywasm.testkit.RecordingStreamListener;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A plugin that exports no body callback: its streams' body events continue without a call (as
 * cpp-host answers Continue when the export is missing), and still get the fail policy once the VM
 * has failed (cpp-host's fail check comes first).
 */
class MissingBodyCallbackTest {
  private final ProxyWasmHost host =
      TestSupport.host(new RecordingLogSink(), new ManualScheduler()).build();

  @AfterEach
  void tearDown() {
    host.close();
  }

  @Test
  void bodiesContinueUntilTheVmFailsThenGetTheFailPolicy() throws Exception {
    try (Plugin plugin =
            host.load(
                PluginConfig.builder("no-body")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.wat("no-body-callbacks.wat"))
                    .failPolicy(FailPolicy.FAIL_CLOSED)
                    .build());
        Worker worker = host.newWorker()) {
      RecordingStreamListener decisions = new RecordingStreamListener();
      HttpStream first = worker.handle(plugin).newHttpStream(decisions);
      assertEquals(FilterHeadersStatus.CONTINUE, first.onRequestHeaders(new HeaderMap(), false));
      byte[] chunk = "chunk".getBytes(StandardCharsets.UTF_8);
      assertEquals(FilterDataStatus.CONTINUE, first.onRequestBody(new BodyBuffer(chunk), false));
      assertEquals(FilterDataStatus.CONTINUE, first.onResponseBody(new BodyBuffer(chunk), false));

      // a second stream traps: the VM fails while the first stream is still open
      HttpStream second = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
          second.onRequestHeaders(new HeaderMap(), false));
      second.close();

      assertEquals(
          FilterDataStatus.STOP_ITERATION_NO_BUFFER,
          first.onRequestBody(new BodyBuffer(chunk), true),
          "the fail check comes before the missing callback");
      assertEquals(1, decisions.localResponses().size());
      assertEquals(503, decisions.localResponses().get(0).status());
      assertEquals("wasm_fail_stream", decisions.localResponses().get(0).details());
      first.close();
    }
  }
}

package io.proxywasm.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.testkit.FakeUpstreams;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TestHttpStream;
import io.proxywasm.testkit.TestPlugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PausedStreamTest {
  private static final Path CALLOUT = Path.of("../plugins/wasm/c-callout.wasm");

  @Test
  void theRequestWaitsForTheCalloutAndTheResponseWaitsForTheRequest() throws Exception {
    FakeUpstreams upstreams = new FakeUpstreams().respond("auth", 200, "ok");
    try (TestPlugin plugin =
            ProxyWasmTestKit.runtime("chicory").plugin(CALLOUT).upstreams(upstreams).start();
        TestHttpStream stream = plugin.openHttp()) {
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
          stream.sendRequestHeaders(HeaderMap.of(":path", "/a"), false));
      assertTrue(stream.isPaused()); // the callout's answer is due, not delivered yet

      TestHttpStream.BodyStep held = stream.sendRequestBody("payload", true);
      assertEquals(Optional.empty(), held.status()); // the plugin is not called while paused
      assertEquals("payload", held.bufferedText()); // the proxy holds the chunk for it
      IllegalStateException early =
          assertThrows(
              IllegalStateException.class,
              () -> stream.sendResponseHeaders(HeaderMap.of(":status", "200"), true));
      assertTrue(early.getMessage().contains("the request is paused"), early.getMessage());

      plugin.runDue(); // the answer arrives, the plugin resumes, the held body goes on
      assertFalse(stream.isPaused());
      assertEquals("payload", stream.upstreamRequest().bodyText());
      assertTrue(stream.upstreamRequest().ended());

      assertEquals(
          FilterHeadersStatus.CONTINUE,
          stream.sendResponseHeaders(HeaderMap.of(":status", "200"), true));
    }
  }

  @Test
  void aCalloutThatHangsTimesOutWhileTheStreamWaits() throws Exception {
    FakeUpstreams upstreams = new FakeUpstreams().hang("auth");
    try (TestPlugin plugin =
            ProxyWasmTestKit.runtime("chicory").plugin(CALLOUT).upstreams(upstreams).start();
        TestHttpStream stream = plugin.openHttp()) {
      stream.sendRequestHeaders(HeaderMap.of(":path", "/a"), true);
      plugin.advance(Duration.ofMillis(499));
      assertTrue(stream.isPaused());
      plugin.advance(Duration.ofMillis(1)); // the callout's timeout: the plugin denies
      assertEquals(403, stream.localResponse().orElseThrow().status());
      assertFalse(stream.isPaused());
    }
  }

  /** Asks an audit service about each response before letting it go to the client. */
  static final class AuditResponses implements JavaPlugin {
    @Override
    public String name() {
      return "audit-responses";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            @Override
            public Action onResponseHeaders(int headers, boolean endOfStream) {
              dispatchHttpCall(
                  "audit",
                  List.of(
                      Header.of(":method", "POST"),
                      Header.of(":path", "/audit"),
                      Header.of(":authority", "audit")),
                  new byte[0],
                  List.of(),
                  Duration.ofSeconds(1));
              return Action.PAUSE;
            }

            @Override
            public Action onResponseBody(int size, boolean endOfStream) {
              responseBody().append(" (audited)".getBytes(java.nio.charset.StandardCharsets.UTF_8));
              return Action.CONTINUE;
            }

            @Override
            public void onHttpCallResponse(int token, int headers, int size, int trailers) {
              resumeResponse();
            }
          };
        }
      };
    }
  }

  @Test
  void theResponseWaitsForAResponseSideCallout() throws Exception {
    FakeUpstreams upstreams = new FakeUpstreams().respond("audit", 200, "");
    try (TestPlugin plugin =
            ProxyWasmTestKit.runtime("null")
                .javaPlugin(new AuditResponses())
                .upstreams(upstreams)
                .start();
        TestHttpStream stream = plugin.openHttp()) {
      stream.sendRequestHeaders(HeaderMap.of(":path", "/doc"), true);
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
          stream.sendResponseHeaders(HeaderMap.of(":status", "200"), false));
      assertEquals(Optional.empty(), stream.sendResponseBody("body", true).status()); // held
      plugin.advance(Duration.ofMillis(10)); // time moves; the answer is delivered on the way
      assertFalse(stream.isPaused());
      assertEquals("body (audited)", stream.downstreamResponse().bodyText());
      assertEquals(Optional.of(FilterDataStatus.CONTINUE), stream.result().responseBodyStatus());
    }
  }
}

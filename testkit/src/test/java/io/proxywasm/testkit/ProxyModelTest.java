package io.proxywasm.testkit;

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
import io.proxywasm.spi.FilterTrailersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.StreamType;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The stream follows the proxy's rules for each decision; the plugin's log shows what it got. */
class ProxyModelTest {
  /**
   * Logs each callback; pauses the request headers when asked ({@code x-pause}), buffers the body
   * until its end ({@code x-buffer}), answers locally on a body chunk {@code deny}, and resumes the
   * request on a tick.
   */
  private static final class Scripted implements JavaPlugin {
    @Override
    public String name() {
      return "scripted";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        private HttpContext waiting;

        @Override
        public boolean onConfigure(int size) {
          setTickPeriod(Duration.ofSeconds(1));
          return true;
        }

        @Override
        public void onTick() {
          if (waiting != null) {
            HttpContext w = waiting;
            waiting = null;
            w.resumeRequest();
          }
        }

        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            private boolean buffer;

            @Override
            public Action onRequestHeaders(int headers, boolean endOfStream) {
              logInfo("headers end=" + endOfStream);
              buffer = requestHeaders().get("x-buffer").isPresent();
              if (requestHeaders().get("x-pause").isPresent()) {
                waiting = this;
                return Action.PAUSE;
              }
              return Action.CONTINUE;
            }

            @Override
            public Action onRequestBody(int size, boolean endOfStream) {
              String body = requestBody().text();
              logInfo("body " + body + " end=" + endOfStream);
              if (body.contains("deny")) {
                sendLocalResponse(400, List.of(), "no");
                return Action.PAUSE;
              }
              return buffer && !endOfStream ? Action.PAUSE : Action.CONTINUE;
            }

            @Override
            public Action onRequestTrailers(int trailers) {
              logInfo("trailers");
              return Action.CONTINUE;
            }

            @Override
            public void onLog() {
              logInfo("log");
            }
          };
        }
      };
    }
  }

  private static TestPlugin start() throws Exception {
    return ProxyWasmTestKit.runtime("null").javaPlugin(new Scripted()).start();
  }

  private static List<String> since(TestPlugin plugin, int from) {
    return plugin.logs().since(from).stream().map(RecordingLogSink.Line::message).toList();
  }

  @Test
  void whatArrivesDuringAStopAllReachesThePluginOnlyWhenItResumes() throws Exception {
    try (TestPlugin plugin = start();
        TestHttpStream stream = plugin.openHttp()) {
      int from = plugin.logs().size();
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
          stream.sendRequestHeaders(HeaderMap.of(":path", "/", "x-pause", "1"), false));
      assertEquals(Optional.empty(), stream.sendRequestBody("a", false).status());
      assertEquals("ab", stream.sendRequestBody("b", false).bufferedText());
      assertEquals(Optional.empty(), stream.sendRequestTrailers(HeaderMap.of("t", "1")));
      assertEquals(List.of("headers end=false"), since(plugin, from));
      assertFalse(stream.upstreamRequest().headersSent());

      plugin.advance(Duration.ofSeconds(1)); // the tick resumes the request
      assertEquals(
          List.of("headers end=false", "body ab end=false", "trailers"), since(plugin, from));
      assertEquals(List.of(StreamType.REQUEST), stream.resumed());
      TestHttpStream.Forwarded up = stream.upstreamRequest();
      assertTrue(up.headersSent());
      assertEquals("ab", up.bodyText());
      assertEquals(List.of(Header.of("t", "1")), up.trailers());
      assertTrue(up.ended());
    }
  }

  @Test
  void aBodyPauseKeepsBufferingAndTrailersStillReachThePlugin() throws Exception {
    try (TestPlugin plugin = start();
        TestHttpStream stream = plugin.openHttp()) {
      stream.sendRequestHeaders(HeaderMap.of(":path", "/", "x-buffer", "1"), false);
      TestHttpStream.BodyStep one = stream.sendRequestBody("1", false);
      assertEquals(Optional.of(FilterDataStatus.STOP_ITERATION_AND_BUFFER), one.status());
      assertEquals("12", stream.sendRequestBody("2", false).seenText());
      assertTrue(stream.isRequestPaused());
      assertEquals(
          Optional.of(FilterTrailersStatus.CONTINUE),
          stream.sendRequestTrailers(HeaderMap.of("t", "1")));
      assertFalse(stream.isRequestPaused());
      assertEquals("12", stream.upstreamRequest().bodyText());
      assertTrue(stream.upstreamRequest().ended());
    }
  }

  @Test
  void afterALocalReplyThereIsNoUpstreamResponseAndTheRestOfTheRequestIsNotGiven()
      throws Exception {
    try (TestPlugin plugin = start();
        TestHttpStream stream = plugin.openHttp()) {
      stream.sendRequestHeaders(HeaderMap.of(":path", "/"), false);
      TestHttpStream.BodyStep denied = stream.sendRequestBody("deny", false);
      assertEquals(Optional.of(FilterDataStatus.STOP_ITERATION_NO_BUFFER), denied.status());
      assertEquals(400, stream.localResponse().orElseThrow().status());
      assertEquals(Optional.empty(), stream.sendRequestBody("more", true).status());
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> stream.sendResponseHeaders(HeaderMap.of(":status", "200"), true));
      assertTrue(e.getMessage().contains("answered locally with 400"), e.getMessage());
      assertEquals("", stream.upstreamRequest().bodyText());
    }
  }

  @Test
  void stepsOutOfOrderAreRefusedInWords() throws Exception {
    try (TestPlugin plugin = start();
        TestHttpStream stream = plugin.openHttp()) {
      IllegalStateException noHeaders =
          assertThrows(IllegalStateException.class, () -> stream.sendRequestBody("x", true));
      assertEquals("send the request headers before a body chunk", noHeaders.getMessage());
      stream.sendRequestHeaders(HeaderMap.of(":path", "/"), true);
      IllegalStateException ended =
          assertThrows(IllegalStateException.class, () -> stream.sendRequestBody("x", true));
      assertTrue(ended.getMessage().contains("has ended already"), ended.getMessage());
    }
  }

  @Test
  void anExchangeStillPausedEndsWithoutAResponseAndIsLogged() throws Exception {
    try (TestPlugin plugin = start()) {
      int from = plugin.logs().size();
      ExchangeResult r = plugin.http().requestHeader("x-pause", "1").responseBody("never").run();
      assertEquals(Optional.of(StreamType.REQUEST), r.pausedAt());
      assertTrue(r.responseHeadersStatus().isEmpty());
      assertEquals(List.of("headers end=true", "log"), since(plugin, from));
    }
  }

  @Test
  void aClockNeverStartsAtZero() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ManualClock(java.time.Instant.EPOCH, Duration.ofHours(1)));
    IllegalArgumentException zero =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ManualClock(ManualClock.DEFAULT_START, Duration.ZERO));
    assertTrue(zero.getMessage().contains("above zero"), zero.getMessage());
  }
}

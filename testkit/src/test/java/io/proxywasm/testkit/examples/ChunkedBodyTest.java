package io.proxywasm.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TestHttpStream;
import io.proxywasm.testkit.TestHttpStream.BodyStep;
import io.proxywasm.testkit.TestPlugin;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChunkedBodyTest {
  /** Buffers the whole request body, then sends it on in capitals. */
  static final class ShoutBody implements JavaPlugin {
    @Override
    public String name() {
      return "shout-body";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            @Override
            public Action onRequestBody(int size, boolean endOfStream) {
              if (!endOfStream) {
                return Action.PAUSE; // a body pause: the proxy buffers, the next chunk adds to it
              }
              String all = requestBody().text();
              requestBody().replaceAll(all.toUpperCase().getBytes(StandardCharsets.UTF_8));
              return Action.CONTINUE;
            }
          };
        }
      };
    }
  }

  @Test
  void theProxyBuffersWhileThePluginAsksAndTheDecisionComesWithEachChunk() throws Exception {
    try (TestPlugin plugin = ProxyWasmTestKit.runtime("null").javaPlugin(new ShoutBody()).start();
        TestHttpStream stream = plugin.openHttp()) {
      assertEquals(
          FilterHeadersStatus.CONTINUE,
          stream.sendRequestHeaders(HeaderMap.of(":method", "POST", ":path", "/echo"), false));

      BodyStep first = stream.sendRequestBody("hello ", false);
      assertEquals(Optional.of(FilterDataStatus.STOP_ITERATION_AND_BUFFER), first.status());
      assertEquals("hello ", first.bufferedText());

      BodyStep second = stream.sendRequestBody("big ", false);
      assertEquals("hello big ", second.seenText()); // the plugin sees everything so far
      assertTrue(stream.isRequestPaused());
      assertEquals("", stream.upstreamRequest().bodyText()); // nothing went on yet

      BodyStep last = stream.sendRequestBody("world", true);
      assertEquals(Optional.of(FilterDataStatus.CONTINUE), last.status());
      assertEquals("HELLO BIG WORLD", last.seenText());
      assertEquals("", last.bufferedText()); // sent on
      assertEquals("HELLO BIG WORLD", stream.upstreamRequest().bodyText());
      assertTrue(stream.upstreamRequest().ended());
    }
  }
}

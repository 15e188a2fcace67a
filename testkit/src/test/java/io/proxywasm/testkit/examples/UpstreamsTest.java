package io.proxywasm.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.StreamType;
import io.proxywasm.testkit.ExchangeResult;
import io.proxywasm.testkit.FakeUpstreams;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TestHttpStream;
import io.proxywasm.testkit.TestPlugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UpstreamsTest {
  // c-callout asks the upstream named in x-upstream (default "auth") about each request: a 200
  // lets the request go, anything else gets a local 403 "denied: <status>".
  private static final Path CALLOUT = Path.of("../plugins/wasm/c-callout.wasm");

  @Test
  void scriptedUpstreamsAnswerFailOrHang() throws Exception {
    FakeUpstreams upstreams =
        new FakeUpstreams()
            .respond("auth", 200, "ok") // answers every call
            .fail("broken", "connection reset") // the plugin gets a failed call (no headers)
            .hang("slow"); // never answers: the call's timeout does (hold: the test answers)
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime("chicory").plugin(CALLOUT).upstreams(upstreams).start()) {
      ExchangeResult allowed = plugin.http().requestHeader(":path", "/a").run();
      assertEquals(List.of(StreamType.REQUEST), allowed.resumed());
      assertEquals("/check", upstreams.calls("auth").get(0).headers().get(1).getValue());
      assertEquals(Duration.ofMillis(500), upstreams.calls("auth").get(0).timeout());

      ExchangeResult failed =
          plugin.http().requestHeader(":path", "/b").requestHeader("x-upstream", "broken").run();
      assertEquals("denied: none", failed.localResponse().orElseThrow().bodyText());

      ExchangeResult waiting =
          plugin.http().requestHeader(":path", "/c").requestHeader("x-upstream", "slow").run();
      assertEquals(Optional.of(StreamType.REQUEST), waiting.pausedAt()); // no answer yet
      assertEquals(Header.of(":path", "/c"), waiting.requestHeaders().get(0));
    }
  }

  @Test
  void theTestAnswersAHeldCallWhenItChooses() throws Exception {
    FakeUpstreams upstreams = new FakeUpstreams().hold("auth");
    try (TestPlugin plugin =
            ProxyWasmTestKit.runtime("chicory").plugin(CALLOUT).upstreams(upstreams).start();
        TestHttpStream stream = plugin.openHttp()) {
      stream.sendRequestHeaders(HeaderMap.of(":path", "/a"), true);
      plugin.advance(Duration.ofMillis(200)); // time passes; the call waits for the test
      assertEquals(1, upstreams.pending("auth"));
      assertTrue(stream.isPaused());

      upstreams.answer("auth", 200, "ok"); // delivered with what is due next
      plugin.runDue();
      assertFalse(stream.isPaused());
      assertTrue(stream.upstreamRequest().ended());
    }
  }
}

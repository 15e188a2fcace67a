package io.proxywasm.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.sdk.StreamContext;
import io.proxywasm.spi.FilterStatus;
import io.proxywasm.spi.PeerType;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TcpConnection;
import io.proxywasm.testkit.TestPlugin;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpConnectionTest {
  /** Holds client data until a full line has arrived; logs how the connection ends. */
  static final class Lines implements JavaPlugin {
    @Override
    public String name() {
      return "lines";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public StreamContext newStreamContext(int contextId) {
          return new StreamContext() {
            @Override
            public Action onDownstreamData(int size, boolean endOfStream) {
              logInfo("data, end of stream: " + endOfStream);
              return downstreamData().text().endsWith("\n") ? Action.CONTINUE : Action.PAUSE;
            }

            @Override
            public void onDownstreamClose(PeerType peer) {
              logInfo("client side closed by " + peer);
            }
          };
        }
      };
    }
  }

  @Test
  void endOfStreamIsNotAClose() throws Exception {
    try (TestPlugin plugin = ProxyWasmTestKit.runtime("null").javaPlugin(new Lines()).start()) {
      try (TcpConnection tcp = plugin.tcp()) {
        assertEquals(FilterStatus.STOP_ITERATION, tcp.downstream("hel", false).status());
        TcpConnection.Chunk line = tcp.downstream("lo\n", true); // the client half-closes
        assertEquals("hello\n", line.text()); // the held data and the new data, together
        assertEquals("hello\n", new String(tcp.forwardedDownstream(), StandardCharsets.UTF_8));
        tcp.closeDownstream(PeerType.REMOTE); // then its side of the connection closes
      }
      assertEquals(
          List.of(
              "data, end of stream: false",
              "data, end of stream: true",
              "client side closed by REMOTE"),
          plugin.logs().messages());
    }
  }
}

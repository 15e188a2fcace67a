package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.proxywasm.host.Plugin;
import io.proxywasm.host.ProxyWasmHost;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The contract fails, with a readable message, for an adapter that drops local replies. */
class EmbedderContractCatchesBrokenAdaptersTest {
  /** An adapter that forwards every request, ignoring the plugin's local replies. */
  private static final class Broken extends EmbedderContract {
    @Override
    protected Gateway gateway(ProxyWasmHost host, Plugin plugin) {
      return new SimpleGateway(host, plugin, true);
    }
  }

  @Test
  void aGatewayThatIgnoresLocalRepliesFailsTheContract() throws Exception {
    Broken contract = new Broken();
    try {
      AssertionFailedError e =
          assertThrows(
              AssertionFailedError.class, contract::appliesALocalReplyWithoutCallingTheUpstream);
      assertEquals("local reply status ==> expected: <403> but was: <200>", e.getMessage());
      contract.closeEverything();
      assertThrows(AssertionFailedError.class, contract::failsClosedWith503);
    } finally {
      contract.closeEverything();
    }
    Broken passing = new Broken();
    try {
      passing.appliesHeaderRewritesInBothDirections();
    } finally {
      passing.closeEverything();
    }
  }
}

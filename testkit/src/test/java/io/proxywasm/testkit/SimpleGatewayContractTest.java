package io.proxywasm.testkit;

import io.proxywasm.host.Plugin;
import io.proxywasm.host.ProxyWasmHost;

/** The reference adapter meets the embedder contract. */
class SimpleGatewayContractTest extends EmbedderContract {
  @Override
  protected Gateway gateway(ProxyWasmHost host, Plugin plugin) {
    return new SimpleGateway(host, plugin, false);
  }
}

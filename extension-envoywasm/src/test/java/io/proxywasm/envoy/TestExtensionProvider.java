package io.proxywasm.envoy;

import io.proxywasm.host.InMemoryExtension;
import io.proxywasm.spi.WasmExtension;
import io.proxywasm.spi.WasmExtensionProvider;

/** An extension registered with ServiceLoader by the tests, above the default's priority. */
public final class TestExtensionProvider implements WasmExtensionProvider {
  /** Creates the provider. */
  public TestExtensionProvider() {}

  @Override
  public String name() {
    return "test-extension";
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public WasmExtension create() {
    return new InMemoryExtension();
  }
}

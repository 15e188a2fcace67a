package io.proxywasm.envoy.internal;

import com.google.auto.service.AutoService;
import io.proxywasm.envoy.EnvoyWasmExtension;
import io.proxywasm.spi.WasmExtension;
import io.proxywasm.spi.WasmExtensionProvider;

/**
 * The extension {@code envoy}: an {@link EnvoyWasmExtension} with the sinks ServiceLoader finds.
 */
@AutoService(WasmExtensionProvider.class)
public final class EnvoyWasmExtensionProvider implements WasmExtensionProvider {
  /** Creates the provider; ServiceLoader does this. */
  public EnvoyWasmExtensionProvider() {}

  @Override
  public String name() {
    return "envoy";
  }

  @Override
  public int priority() {
    return 10;
  }

  @Override
  public WasmExtension create() {
    return EnvoyWasmExtension.withDiscoveredSinks();
  }
}

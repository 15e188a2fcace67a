package io.proxywasm.nullvm;

import com.google.auto.service.AutoService;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.VmCapability;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.WasmVmProvider;
import java.util.EnumSet;
import java.util.Set;

/**
 * The runtime {@code null}: runs {@link JavaPlugin}s named by code {@code java:NAME}, with the same
 * host, lifecycle and extension as wasm plugins. It is never the default runtime.
 */
@AutoService(WasmVmProvider.class)
@SuppressWarnings("exports") // the registration annotation is compile-time only
public final class NullVmProvider implements WasmVmProvider {
  /** The runtime's name. */
  public static final String NAME = "null";

  /** Creates the provider; ServiceLoader does this. */
  public NullVmProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<VmCapability> capabilities() {
    return EnumSet.of(VmCapability.JAVA_PLUGINS);
  }

  @Override
  public Set<AbiVersion> supportedAbiVersions() {
    return EnumSet.of(AbiVersion.V0_2_1);
  }

  @Override
  public int priority() {
    return -100;
  }

  @Override
  public WasmVm create(WasmVmIntegration integration) {
    return new NullVm(integration);
  }
}

package io.proxywasm.chicory;

import com.google.auto.service.AutoService;
import io.proxywasm.spi.VmCapability;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.WasmVmProvider;
import java.util.Set;

/**
 * Runtime {@code chicory-compiler}: Chicory's compiler translates each module to JVM bytecode once,
 * when it is loaded; clones share the generated classes. The default runtime when present.
 */
@AutoService(WasmVmProvider.class)
public final class ChicoryCompilerProvider implements WasmVmProvider {
  /** The runtime name. */
  public static final String NAME = "chicory-compiler";

  /** Creates the provider; stateless. */
  public ChicoryCompilerProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<VmCapability> capabilities() {
    return Set.of(
        VmCapability.WASM_BYTECODE,
        VmCapability.COMPILED,
        VmCapability.TERMINATE,
        VmCapability.MEMORY_LIMIT);
  }

  @Override
  public int priority() {
    return 10;
  }

  @Override
  public WasmVm create(WasmVmIntegration integration) {
    return new ChicoryVm(NAME, true, integration);
  }
}

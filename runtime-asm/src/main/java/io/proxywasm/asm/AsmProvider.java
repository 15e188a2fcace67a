package io.proxywasm.asm;

import com.google.auto.service.AutoService;
import io.proxywasm.spi.VmCapability;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.WasmVmProvider;
import java.util.Set;

/**
 * Runtime {@code asm}: translates each module to one JVM class with ASM, on Chicory's parser and
 * validator; functions become static methods, globals fields, linear memory one {@code byte[]}.
 */
@AutoService(WasmVmProvider.class)
@SuppressWarnings("exports") // the registration annotation is compile-time only
public final class AsmProvider implements WasmVmProvider {
  /** The runtime name. */
  public static final String NAME = "asm";

  /** Creates the provider; stateless. */
  public AsmProvider() {}

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

  /**
   * 20, above {@code chicory-compiler}'s 10: where both are installed, {@code asm} is the default
   * (docs/performance.md, "The default runtime"). A module it refuses ({@link
   * io.proxywasm.spi.UnsupportedModuleException}: reference types, a second table, a function too
   * large for one JVM method) loads on the next runtime when nobody named one.
   */
  @Override
  public int priority() {
    return 20;
  }

  @Override
  public WasmVm create(WasmVmIntegration integration) {
    return new AsmVm(integration);
  }
}

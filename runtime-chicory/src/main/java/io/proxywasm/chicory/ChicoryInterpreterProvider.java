package io.proxywasm.chicory;

import com.google.auto.service.AutoService;
import io.proxywasm.spi.VmCapability;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.WasmVmProvider;
import java.util.Set;

/** Runtime {@code chicory}: Chicory's pure-Java WebAssembly interpreter. */
@AutoService(WasmVmProvider.class)
@SuppressWarnings("exports") // the registration annotation is compile-time only
public final class ChicoryInterpreterProvider implements WasmVmProvider {
  /** The runtime name. */
  public static final String NAME = "chicory";

  /** Creates the provider; stateless. */
  public ChicoryInterpreterProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<VmCapability> capabilities() {
    return Set.of(VmCapability.WASM_BYTECODE, VmCapability.TERMINATE, VmCapability.MEMORY_LIMIT);
  }

  @Override
  public WasmVm create(WasmVmIntegration integration) {
    return new ChicoryVm(NAME, CodeSource.INTERPRETER, integration);
  }
}

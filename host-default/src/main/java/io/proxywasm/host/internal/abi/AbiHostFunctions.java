package io.proxywasm.host.internal.abi;

import io.proxywasm.host.internal.vm.HostFunctions;
import io.proxywasm.host.internal.vm.WasmBase;
import io.proxywasm.spi.HostAbi;
import io.proxywasm.spi.HostFunction;
import java.util.List;

/**
 * The ABI layer as the VM layer links it: each VM gets its {@link TypedHost}, and its wasm imports
 * from {@link HostCalls}, which decode the plugin's pointers and call that same {@code TypedHost}.
 */
public final class AbiHostFunctions implements HostFunctions {
  /** Creates the binding; it keeps no state. */
  public AbiHostFunctions() {}

  @Override
  public HostAbi hostAbi(WasmBase wasm) {
    return new TypedHost(wasm);
  }

  @Override
  public List<HostFunction> imports(WasmBase wasm) {
    return HostCalls.functions(wasm);
  }
}

package io.proxywasm.host.internal.vm;

import io.proxywasm.spi.HostAbi;
import io.proxywasm.spi.HostFunction;
import java.util.List;

/**
 * The host functions a VM links, as the layer above ({@code internal.abi}) makes them for each VM.
 * The VM layer registers them in the runtime and never names the classes behind them, so that its
 * dependencies point one way; the host hands the ABI layer's in through {@link HostServices}.
 */
public interface HostFunctions {
  /**
   * Makes the host functions of one VM with Java values; called once, while the VM is created.
   *
   * @param wasm the VM, not started yet
   * @return its host ABI, which a runtime for Java plugins hands to them
   */
  HostAbi hostAbi(WasmBase wasm);

  /**
   * Returns the imports a module of the VM's ABI version may link, bound to that VM: the {@code
   * env.proxy_*} functions, WASI and the Emscripten helpers.
   *
   * @param wasm the VM
   * @return the functions to register; none for a runtime without linear memory
   */
  List<HostFunction> imports(WasmBase wasm);
}

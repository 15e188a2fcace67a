/**
 * The proxy-independent proxy-wasm host: VM lifecycle (base VMs per vm_key, per-worker clones,
 * singleton service VMs), plugins and their handles, contexts, the ABI's host functions, shared
 * data and queues, timers, and the embedder API.
 *
 * @uses io.proxywasm.spi.WasmVmProvider
 * @uses io.proxywasm.spi.WasmExtensionProvider
 */
module io.proxywasm.host {
  requires transitive io.proxywasm.spi;
  requires org.slf4j;

  exports io.proxywasm.host;

  uses io.proxywasm.spi.WasmVmProvider;
  uses io.proxywasm.spi.WasmExtensionProvider;
}

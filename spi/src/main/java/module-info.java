/**
 * Service provider interfaces of proxy-wasm-jvm.
 *
 * <p>This module holds the contracts between the host and what plugs into it, and nothing else: it
 * depends only on {@code java.base}.
 *
 * <ul>
 *   <li>{@link io.proxywasm.spi.WasmVm} and {@link io.proxywasm.spi.WasmVmProvider}: a WebAssembly
 *       runtime (or the Null VM) behind one call shape, {@code long... -> long[]}.
 *   <li>{@link io.proxywasm.spi.WasmVmIntegration}: what a VM needs from its embedder.
 *   <li>{@link io.proxywasm.spi.WasmExtension} and {@link io.proxywasm.spi.WasmExtensionProvider}:
 *       lifecycle events and metrics sinks.
 *   <li>The ABI's values with their exact numeric codes: {@link io.proxywasm.spi.WasmResult},
 *       {@link io.proxywasm.spi.LogLevel}, {@link io.proxywasm.spi.AbiVersion} and the others.
 *   <li>{@link io.proxywasm.spi.Runtimes} and {@link io.proxywasm.spi.Extensions}: the discovery
 *       rules for providers.
 * </ul>
 *
 * @uses io.proxywasm.spi.WasmVmProvider
 * @uses io.proxywasm.spi.WasmExtensionProvider
 */
module io.proxywasm.spi {
  exports io.proxywasm.spi;

  uses io.proxywasm.spi.WasmVmProvider;
  uses io.proxywasm.spi.WasmExtensionProvider;
}

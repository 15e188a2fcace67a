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
 * <p>{@code io.proxywasm.spi.support} holds helpers that are no part of the contract (the discovery
 * registry, a context table, a fail-state holder); it is exported only to the modules of this
 * project that use them.
 *
 * @uses io.proxywasm.spi.WasmVmProvider
 * @uses io.proxywasm.spi.WasmExtensionProvider
 */
@SuppressWarnings("module") // the modules the helpers are exported to are built after this one
module io.proxywasm.spi {
  exports io.proxywasm.spi;
  exports io.proxywasm.spi.support to
      io.proxywasm.host,
      io.proxywasm.nullvm,
      io.proxywasm.chicory,
      io.proxywasm.envoy;

  uses io.proxywasm.spi.WasmVmProvider;
  uses io.proxywasm.spi.WasmExtensionProvider;
}

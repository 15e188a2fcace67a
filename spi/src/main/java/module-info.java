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
 *   <li>The ABI catalogue: {@link io.proxywasm.spi.HostCall}, every host function a module may
 *       import, and {@link io.proxywasm.spi.Callback}, every export the host calls; {@link
 *       io.proxywasm.spi.HostAbi} offers the host calls with Java types.
 *   <li>The ABI's values with their exact numeric codes: {@link io.proxywasm.spi.WasmResult},
 *       {@link io.proxywasm.spi.LogLevel}, {@link io.proxywasm.spi.AbiVersion} and the others.
 *   <li>{@link io.proxywasm.spi.Runtimes} and {@link io.proxywasm.spi.Extensions}: the discovery
 *       rules for providers.
 * </ul>
 *
 * <p>{@code io.proxywasm.spi.support} holds helpers that are no part of the contract (the discovery
 * registry, a context table, a fail-state holder, a base class for VMs, an in-memory metric) for
 * the modules of this project; they may change in any release. The package is exported to everyone
 * rather than to those modules by name: a runtime author's module that requires only this one runs
 * the host from the class path in its tests, and a qualified export would deny the host its helpers
 * there.
 *
 * @uses io.proxywasm.spi.WasmVmProvider
 * @uses io.proxywasm.spi.WasmExtensionProvider
 */
module io.proxywasm.spi {
  exports io.proxywasm.spi;
  exports io.proxywasm.spi.support;

  uses io.proxywasm.spi.WasmVmProvider;
  uses io.proxywasm.spi.WasmExtensionProvider;
}

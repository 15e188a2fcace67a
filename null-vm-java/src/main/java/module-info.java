/**
 * The Null VM, runtime {@code null}: the engine that runs proxy-wasm plugins written in Java
 * against the Java plugin SDK (module {@code io.proxywasm.sdk}), behind the same {@link
 * io.proxywasm.spi.WasmVm} contract as wasm modules. Plugins name it by {@code java:NAME}.
 *
 * @uses io.proxywasm.sdk.JavaPlugin the plugins {@code java:NAME} names
 * @provides io.proxywasm.spi.WasmVmProvider the runtime {@code null}
 */
module io.proxywasm.nullvm {
  requires transitive io.proxywasm.spi;
  requires transitive io.proxywasm.sdk;
  requires static com.google.auto.service;

  exports io.proxywasm.nullvm;

  uses io.proxywasm.sdk.JavaPlugin;

  provides io.proxywasm.spi.WasmVmProvider with
      io.proxywasm.nullvm.NullVmProvider;
}

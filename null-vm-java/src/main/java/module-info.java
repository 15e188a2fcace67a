/**
 * The Null VM, runtime {@code null}: proxy-wasm plugins written in Java, run behind the same {@link
 * io.proxywasm.spi.WasmVm} contract as wasm modules, and the Java plugin SDK they are written
 * against.
 */
module io.proxywasm.nullvm {
  requires io.proxywasm.spi;
  requires static com.google.auto.service;
}

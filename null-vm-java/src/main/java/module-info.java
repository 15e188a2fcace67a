/**
 * The Null VM, runtime {@code null}: proxy-wasm plugins written in Java, run behind the same {@link
 * io.proxywasm.spi.WasmVm} contract as wasm modules, and the Java plugin SDK they are written
 * against (package {@code io.proxywasm.nullvm}).
 */
module io.proxywasm.nullvm {
  requires transitive io.proxywasm.spi;

  exports io.proxywasm.nullvm;

  uses io.proxywasm.nullvm.JavaPlugin;

  provides io.proxywasm.spi.WasmVmProvider with
      io.proxywasm.nullvm.NullVmProvider;
}

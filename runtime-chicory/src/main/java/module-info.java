/**
 * Runtimes on Chicory, a pure-Java WebAssembly engine: {@code chicory}, its interpreter.
 *
 * <p>Nothing is exported: use the runtimes through {@link io.proxywasm.spi.Runtimes}.
 *
 * @provides io.proxywasm.spi.WasmVmProvider runtime {@code chicory}
 */
module io.proxywasm.chicory {
  requires io.proxywasm.spi;
  requires com.dylibso.chicory.runtime;
  requires static com.google.auto.service;

  provides io.proxywasm.spi.WasmVmProvider with
      io.proxywasm.chicory.ChicoryInterpreterProvider;
}

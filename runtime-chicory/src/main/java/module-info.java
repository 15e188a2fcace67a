/**
 * Runtimes on Chicory, a pure-Java WebAssembly engine: {@code chicory}, its interpreter, and {@code
 * chicory-compiler}, which translates wasm to JVM bytecode (the default runtime).
 *
 * <p>Nothing is exported: use the runtimes through {@link io.proxywasm.spi.Runtimes}.
 *
 * @provides io.proxywasm.spi.WasmVmProvider runtimes {@code chicory} and {@code chicory-compiler}
 */
module io.proxywasm.chicory {
  requires io.proxywasm.spi;
  requires com.dylibso.chicory.runtime;
  requires com.dylibso.chicory.compiler;
  requires static com.google.auto.service;

  provides io.proxywasm.spi.WasmVmProvider with
      io.proxywasm.chicory.ChicoryInterpreterProvider,
      io.proxywasm.chicory.ChicoryCompilerProvider;
}

/**
 * Runtimes on Chicory, a pure-Java WebAssembly engine: {@code chicory}, its interpreter, and {@code
 * chicory-compiler}, which translates wasm to JVM bytecode.
 *
 * <p>Nothing is exported: use the runtimes through {@link io.proxywasm.spi.Runtimes}.
 */
module io.proxywasm.chicory {
  requires io.proxywasm.spi;
  requires com.dylibso.chicory.runtime;
  requires static com.google.auto.service;
}

/**
 * Runtimes on Chicory, a pure-Java WebAssembly engine: {@code chicory}, its interpreter, and {@code
 * chicory-compiler}, which translates wasm to JVM bytecode (the default runtime).
 *
 * <p>Use the runtimes through {@link io.proxywasm.spi.Runtimes}. The one exported package holds the
 * two providers, so that an embedder can configure the compiler's on-disk cache and modules
 * compiled at build time ({@link io.proxywasm.chicory.ChicoryCompilerProvider#builder()}).
 *
 * @provides io.proxywasm.spi.WasmVmProvider runtimes {@code chicory} and {@code chicory-compiler}
 */
// the qualified export names runtime asm, which is built after this module
@SuppressWarnings("module")
module io.proxywasm.chicory {
  requires transitive io.proxywasm.spi;
  requires transitive com.dylibso.chicory.runtime;
  requires com.dylibso.chicory.compiler;
  requires org.objectweb.asm;
  requires org.objectweb.asm.commons;
  requires jdk.management;
  requires static com.google.auto.service;

  exports io.proxywasm.chicory;
  // the wasm-level function splitter, shared with runtime asm; not an API
  exports io.proxywasm.chicory.split to
      io.proxywasm.asm;

  provides io.proxywasm.spi.WasmVmProvider with
      io.proxywasm.chicory.ChicoryInterpreterProvider,
      io.proxywasm.chicory.ChicoryCompilerProvider;
}

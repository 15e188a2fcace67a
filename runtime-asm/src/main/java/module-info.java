/**
 * Runtime {@code asm}: translates each wasm module to one JVM class with ASM, on Chicory's parser
 * and validator; functions whose translation HotSpot would not JIT-compile are split first by
 * runtime {@code chicory}'s splitter.
 *
 * <p>Use the runtime through {@link io.proxywasm.spi.Runtimes}. No package is exported: the
 * generated classes get access to the runtime's support classes when they are defined.
 *
 * @provides io.proxywasm.spi.WasmVmProvider runtime {@code asm}
 */
module io.proxywasm.asm {
  requires transitive io.proxywasm.spi;
  requires com.dylibso.chicory.wasm;
  requires org.objectweb.asm;
  // runtime chicory's wasm-level function splitter, for functions whose translation is huge
  requires io.proxywasm.chicory;
  requires static com.google.auto.service;

  provides io.proxywasm.spi.WasmVmProvider with
      io.proxywasm.asm.AsmProvider;
}

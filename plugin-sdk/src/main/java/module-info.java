/**
 * The Java plugin SDK (package {@code io.proxywasm.sdk}): the API proxy-wasm plugins written in
 * Java are compiled against. The Null VM, module {@code io.proxywasm.nullvm}, is the engine that
 * runs them; plugins depend on this module only.
 */
@SuppressWarnings("module")
module io.proxywasm.sdk {
  requires transitive io.proxywasm.spi;

  exports io.proxywasm.sdk;
  exports io.proxywasm.sdk.engine to
      io.proxywasm.nullvm;
}

/**
 * The default {@link io.proxywasm.spi.WasmExtension}: lifecycle events and stats named as Envoy
 * names them, swappable sinks, and remote code loading.
 */
module io.proxywasm.envoy {
  requires io.proxywasm.spi;
  requires static com.google.auto.service;
}

/**
 * The default {@link io.proxywasm.spi.WasmExtension}: lifecycle events and stats named as Envoy
 * names them, swappable sinks, and remote code loading. {@link
 * io.proxywasm.envoy.EnvoyWasmExtension} is the extension, {@link io.proxywasm.envoy.StatsRegistry}
 * its queryable stats, {@link io.proxywasm.envoy.WasmStatsSink} the sink SPI, {@link
 * io.proxywasm.envoy.RemoteCode} the remote module loader.
 */
module io.proxywasm.envoy {
  requires transitive io.proxywasm.host;
  requires transitive java.net.http;
  requires org.slf4j;
  requires static com.google.auto.service;

  exports io.proxywasm.envoy;

  uses io.proxywasm.envoy.WasmStatsSinkProvider;

  provides io.proxywasm.spi.WasmExtensionProvider with
      io.proxywasm.envoy.internal.EnvoyWasmExtensionProvider;
  provides io.proxywasm.envoy.WasmStatsSinkProvider with
      io.proxywasm.envoy.internal.Slf4jEventSinkProvider;
}

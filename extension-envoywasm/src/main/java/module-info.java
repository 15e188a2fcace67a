/**
 * The default {@link io.proxywasm.spi.WasmExtension}: lifecycle events and stats named as Envoy
 * names them, and swappable sinks. {@link io.proxywasm.envoy.EnvoyWasmExtension} is the extension,
 * {@link io.proxywasm.envoy.StatsRegistry} its queryable stats, {@link
 * io.proxywasm.envoy.WasmStatsSink} the sink SPI. Remote code loading is the separate module {@code
 * io.proxywasm.remote}.
 *
 * @uses io.proxywasm.envoy.WasmStatsSinkProvider the sinks {@link
 *     io.proxywasm.envoy.EnvoyWasmExtension#withDiscoveredSinks()} finds
 * @provides io.proxywasm.spi.WasmExtensionProvider the extension {@code envoy}
 * @provides io.proxywasm.envoy.WasmStatsSinkProvider the sink {@code slf4j}, lifecycle events in
 *     the log
 */
module io.proxywasm.envoy {
  requires transitive io.proxywasm.spi;
  requires org.slf4j;
  requires static com.google.auto.service;

  exports io.proxywasm.envoy;

  uses io.proxywasm.envoy.WasmStatsSinkProvider;

  provides io.proxywasm.spi.WasmExtensionProvider with
      io.proxywasm.envoy.internal.EnvoyWasmExtensionProvider;
  provides io.proxywasm.envoy.WasmStatsSinkProvider with
      io.proxywasm.envoy.internal.Slf4jEventSinkProvider;
}

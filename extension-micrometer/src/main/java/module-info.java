/**
 * A {@link io.proxywasm.envoy.WasmStatsSink} that shows proxy-wasm stats in a Micrometer registry:
 * {@link io.proxywasm.micrometer.MicrometerStatsSink}. Optional: add this module to see plugin
 * metrics in Spring Boot, Quarkus or any Micrometer registry.
 *
 * @provides io.proxywasm.envoy.WasmStatsSinkProvider the sink {@code micrometer}
 */
@SuppressWarnings("requires-transitive-automatic")
module io.proxywasm.micrometer {
  requires transitive io.proxywasm.envoy;
  requires transitive micrometer.core;
  requires static com.google.auto.service;

  exports io.proxywasm.micrometer;

  provides io.proxywasm.envoy.WasmStatsSinkProvider with
      io.proxywasm.micrometer.internal.MicrometerStatsSinkProvider;
}

/**
 * The {@code proxy-wasm} command: inspect, run and benchmark proxy-wasm plugins on every runtime
 * found at run time.
 */
module io.proxywasm.cli {
  requires io.proxywasm.host;
}

/**
 * The {@code proxy-wasm} command: run one HTTP exchange through a plugin ({@code run}) and check
 * whether this host can load a module ({@code inspect}), on every runtime found at run time.
 */
module io.proxywasm.cli {
  requires io.proxywasm.host;
  requires io.proxywasm.testkit;
}

/**
 * The test kit: run and assert proxy-wasm plugins (wasm or Java) in JUnit with no proxy, check an
 * embedder's integration, and prove a runtime with the TCK.
 */
module io.proxywasm.testkit {
  requires transitive io.proxywasm.host;
  requires transitive org.junit.jupiter.api;
}

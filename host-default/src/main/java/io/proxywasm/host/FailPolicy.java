package io.proxywasm.host;

/** What a stream gets when its plugin's VM fails. */
public enum FailPolicy {
  /**
   * The stream is failed: an HTTP stream gets a local 503 reply with details {@code
   * wasm_fail_stream}, a TCP stream is closed. This is Envoy's default.
   */
  FAIL_CLOSED,
  /** The stream continues as if the plugin were absent. */
  FAIL_OPEN
}

/**
 * The test kit: run proxy-wasm plugins (wasm, or Java on the Null VM) with no proxy and look at
 * what they did, driven as a proxy drives them. {@link io.proxywasm.testkit.ProxyWasmTestKit} is
 * the entry point (one plugin, or a {@link io.proxywasm.testkit.TestHost} of filters and services);
 * {@link io.proxywasm.testkit.TestHttpStream} drives a stream step by step; the fakes ({@link
 * io.proxywasm.host.ManualScheduler}, {@link io.proxywasm.testkit.ManualClock}, {@link
 * io.proxywasm.testkit.RecordingLogSink}, {@link io.proxywasm.testkit.RecordingExtension}, {@link
 * io.proxywasm.testkit.RecordingStreamListener}) also serve embedders testing their own
 * integration.
 */
module io.proxywasm.testkit {
  requires transitive io.proxywasm.host;
  requires transitive io.proxywasm.nullvm;
  requires static transitive org.junit.jupiter.api;

  exports io.proxywasm.testkit;
}

/**
 * Remote plugin code: {@link io.proxywasm.remote.RemoteCode} fetches a module from an {@code
 * http(s)} URL or a {@code file:} URL under configured roots, checks its SHA-256, and caches it
 * (bounded in memory, verified copies on disk). It reports Envoy's remote-load events to any {@link
 * io.proxywasm.spi.WasmExtension}; it depends on the SPI and the JDK only.
 */
module io.proxywasm.remote {
  requires transitive io.proxywasm.spi;
  requires transitive java.net.http;

  exports io.proxywasm.remote;
}

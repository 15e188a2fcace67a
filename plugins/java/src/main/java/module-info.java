/**
 * Example Java plugins for the Null VM, twins of the wasm plugins under {@code plugins/}: the
 * seed's hello world and http headers, and a filter that enqueues request paths with a singleton
 * service that collects them into shared data.
 *
 * @provides io.proxywasm.sdk.JavaPlugin {@code hello-world}, {@code http-headers}, {@code
 *     path-collector} and {@code path-reporter}
 */
module io.proxywasm.examples {
  requires io.proxywasm.sdk;
  requires static com.google.auto.service;

  provides io.proxywasm.sdk.JavaPlugin with
      io.proxywasm.examples.HelloWorld,
      io.proxywasm.examples.HttpHeaders,
      io.proxywasm.examples.PathCollector,
      io.proxywasm.examples.PathReporter;
}

package io.proxywasm.examples.docs;

import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.StreamType;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs one request through a plugin, as a gateway does. */
public final class EmbeddingExample {
  private EmbeddingExample() {}

  /**
   * Runs one request through a plugin.
   *
   * @param wasm the plugin's module
   * @param path the request's path
   * @return the status a gateway would send
   * @throws Exception if the module cannot be read or loaded
   */
  public static int handle(Path wasm, String path) throws Exception {
    try (ProxyWasmHost host = ProxyWasmHost.builder().build();
        Plugin plugin =
            host.load(
                PluginConfig.builder("my-filter")
                    .rootId("my-root")
                    .code(Files.readAllBytes(wasm))
                    .pluginConfiguration("{\"greeting\": \"hello\"}")
                    .failPolicy(FailPolicy.FAIL_CLOSED)
                    .build());
        Worker worker = host.newWorker()) { // one per event-loop thread
      int[] status = {200};
      HttpStream stream =
          worker
              .handle(plugin)
              .newHttpStream(
                  new HttpStreamListener() {
                    @Override
                    public void onLocalResponse(LocalResponse response) {
                      status[0] = response.status(); // send it instead of proxying
                    }

                    @Override
                    public void onResume(StreamType direction) {
                      // a paused stream goes on: forward what was held back
                    }
                  });
      HeaderMap headers = HeaderMap.of(":method", "GET", ":path", path, ":authority", "example");
      FilterHeadersStatus decision = stream.onRequestHeaders(headers, true);
      if (decision == FilterHeadersStatus.CONTINUE) {
        // forward the request upstream with the (possibly rewritten) headers ...
        HeaderMap response = HeaderMap.of(":status", "404");
        stream.onResponseHeaders(response, true);
        status[0] = Integer.parseInt(response.get(":status").orElseThrow());
      }
      stream.onLog();
      stream.close(); // proxy_on_done + proxy_on_delete: the context is released
      return status[0];
    }
  }
}

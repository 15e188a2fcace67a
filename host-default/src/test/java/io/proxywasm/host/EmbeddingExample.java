package io.proxywasm.host;

import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.StreamType;
import java.nio.file.Files;
import java.nio.file.Path;

/** The example of docs/embedding.md; {@link DocsSnippetsTest} keeps the two identical. */
final class EmbeddingExample {
  private EmbeddingExample() {}

  // tag::example[]
  /** Runs one request through a plugin and returns the status a gateway would send. */
  static int handle(Path wasm, String path) throws Exception {
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
        HeaderMap response = HeaderMap.of(":status", "200");
        stream.onResponseHeaders(response, true);
      }
      stream.onLog();
      stream.close(); // proxy_on_done + proxy_on_delete: the context is released
      return status[0];
    }
  }
  // end::example[]
}

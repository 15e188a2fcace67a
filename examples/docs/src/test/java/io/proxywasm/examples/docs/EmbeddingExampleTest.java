package io.proxywasm.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The example of docs/embedding.md runs: the plugin answers /hello, the upstream the rest. */
class EmbeddingExampleTest {
  private static final Path PLUGIN =
      Path.of(System.getProperty("proxywasm.plugins.dir", "../../plugins"), "wasm")
          .resolve("c-http-headers.wasm");

  @Test
  void thePluginAnswersOneRequestAndPassesTheOther() throws Exception {
    assertEquals(200, EmbeddingExample.handle(PLUGIN, "/hello"));
    assertEquals(404, EmbeddingExample.handle(PLUGIN, "/elsewhere"));
  }
}

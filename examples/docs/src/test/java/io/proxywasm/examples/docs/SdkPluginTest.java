package io.proxywasm.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.Header;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.testkit.ExchangeResult;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TestPlugin;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SdkPluginTest {
  // What `cargo build --release --target wasm32-unknown-unknown` wrote (here: the repository's).
  private static final Path PLUGIN = Path.of("../../plugins/wasm/rust-http-headers.wasm");

  @Test
  void answersHelloAndMarksTheRest() throws Exception {
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime("chicory-compiler")
            .plugin(PLUGIN)
            .logLevel(LogLevel.TRACE)
            .start()) {
      ExchangeResult hello = plugin.http().requestHeader(":path", "/hello").run();
      assertEquals(200, hello.localResponse().orElseThrow().status());

      ExchangeResult other = plugin.http().requestHeader(":path", "/other").run();
      assertTrue(other.responseHeaders().contains(Header.of("x-proxy-wasm-sdk", "rust")));
      assertTrue(other.logMessages().stream().anyMatch(l -> l.endsWith("-> :path: /other")));
    }
  }
}

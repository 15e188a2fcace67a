package io.proxywasm.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.testkit.OnEveryRuntime;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TestPlugin;
import java.nio.file.Path;

class RuntimeModuleTest {
  // The build passes the module's path: -Dheaders.plugin=../plugins/wasm/c-http-headers.wasm
  @OnEveryRuntime(wasmProperty = "headers.plugin")
  void fromASystemProperty(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.start()) {
      assertEquals(
          200,
          plugin
              .http()
              .requestHeader(":path", "/hello")
              .run()
              .localResponse()
              .orElseThrow()
              .status());
    }
  }

  // Or a static method of the test class finds it (or builds it) when the test runs.
  @OnEveryRuntime(wasmMethod = "headersPlugin")
  void fromAMethod(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.start()) {
      assertEquals(
          200,
          plugin
              .http()
              .requestHeader(":path", "/hello")
              .run()
              .localResponse()
              .orElseThrow()
              .status());
    }
  }

  static Path headersPlugin() {
    return Path.of(System.getProperty("headers.plugin"));
  }
}

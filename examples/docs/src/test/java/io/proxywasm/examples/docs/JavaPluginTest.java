package io.proxywasm.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.testkit.ExchangeResult;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TestPlugin;
import org.junit.jupiter.api.Test;

class JavaPluginTest {
  @Test
  void answersHello() throws Exception {
    try (TestPlugin plugin = ProxyWasmTestKit.runtime("null").javaPlugin("http-headers").start()) {
      ExchangeResult r = plugin.http().requestHeader(":path", "/hello").run();
      assertEquals(200, r.localResponse().orElseThrow().status());
      assertEquals("Hello, World!\n", r.localResponse().orElseThrow().bodyText());
    }
  }
}

package io.proxywasm.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.testkit.ExchangeResult;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TestPlugin;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WasmPluginTest {
  private static final Path PLUGIN = Path.of("../plugins/wasm/c-http-headers.wasm");

  @Test
  void answersHelloAndPassesTheRest() throws Exception {
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime("chicory-compiler") // or "chicory", or a WasmVmProvider
            .plugin(PLUGIN) // or bytes, or pluginResource("/x.wasm")
            .name("headers") // plugin_name, in logs and events; "test" if not set
            .config(c -> c.rootId("").pluginConfiguration("")) // any PluginConfig option
            .start()) { // loads, starts, configures
      ExchangeResult hello = plugin.http().requestHeader(":path", "/hello").run();
      assertEquals(200, hello.localResponse().orElseThrow().status());
      assertEquals("Hello, World!\n", hello.localResponse().orElseThrow().bodyText());
      assertTrue(hello.responseHeadersStatus().isEmpty()); // no upstream after a local reply

      ExchangeResult other =
          plugin.http().requestHeader(":path", "/other").responseBody("ok").run();
      assertEquals(FilterHeadersStatus.CONTINUE, other.requestHeadersStatus());
      assertEquals(Optional.of(FilterHeadersStatus.CONTINUE), other.responseHeadersStatus());
      assertEquals("ok", other.responseBodyText());
      assertTrue(other.contextId() > plugin.rootContextId()); // each stream has its own context
      assertEquals("headers", plugin.plugin().info().name());
    }
  }

  @Test
  void traceLinesNeedTheTraceLevel() throws Exception {
    try (TestPlugin quiet = ProxyWasmTestKit.runtime("chicory").plugin(PLUGIN).start()) {
      ExchangeResult r = quiet.http().requestHeader(":path", "/other").run();
      assertTrue(r.logMessages().isEmpty()); // the plugin logs at TRACE; the level is INFO
      assertTrue(quiet.logs().dropped().get(LogLevel.TRACE) > 0);
      assertTrue(quiet.logs().droppedHint().contains("set logLevel(LogLevel.TRACE)"));
    }
    try (TestPlugin verbose =
        ProxyWasmTestKit.runtime("chicory").plugin(PLUGIN).logLevel(LogLevel.TRACE).start()) {
      ExchangeResult r = verbose.http().requestHeader(":path", "/other").run();
      assertTrue(r.logMessages().stream().anyMatch(m -> m.endsWith(" -> :path: /other")));
      assertEquals(r.logs(), verbose.logs().linesOfContext(r.contextId())); // by context id
      assertEquals(Map.of(), verbose.logs().dropped());
    }
  }
}

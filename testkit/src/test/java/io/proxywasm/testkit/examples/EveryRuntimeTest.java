package io.proxywasm.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.Header;
import io.proxywasm.testkit.ExchangeResult;
import io.proxywasm.testkit.OnEveryRuntime;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TestPlugin;
import java.util.List;

class EveryRuntimeTest {
  /** The Java twin of c-http-headers' /hello reply, found by its class name on the Null VM. */
  public static final class HelloTwin implements JavaPlugin {
    /** Creates the plugin; the Null VM does this. */
    public HelloTwin() {}

    @Override
    public String name() {
      return HelloTwin.class.getName();
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            @Override
            public Action onRequestHeaders(int headers, boolean endOfStream) {
              if (!requestHeaders().get(":path").orElse("").equals("/hello")) {
                return Action.CONTINUE;
              }
              sendLocalResponse(200, List.of(Header.of("Hello", "World")), "Hello, World!\n");
              return Action.PAUSE;
            }
          };
        }
      };
    }
  }

  // Once on chicory, once on chicory-compiler (the module), once on the Null VM (the twin).
  @OnEveryRuntime(
      wasm = "../plugins/wasm/c-http-headers.wasm",
      javaPlugin = "io.proxywasm.testkit.examples.EveryRuntimeTest$HelloTwin")
  void answersHello(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.start()) {
      ExchangeResult r = plugin.http().requestHeader(":path", "/hello").run();
      assertEquals(200, r.localResponse().orElseThrow().status());
      assertEquals("Hello, World!\n", r.localResponse().orElseThrow().bodyText());
    }
  }
}

package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.Header;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;

/** {@link OnEveryRuntime} runs a test on each runtime, the Null VM with the Java twin. */
class OnEveryRuntimeTest {
  private static final Set<String> SEEN = new TreeSet<>();

  /** The Java twin of the C http-headers plugin's {@code /hello} reply. */
  public static final class HelloTwin implements JavaPlugin {
    /** Creates the plugin. */
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
              if (requestHeaders().get(":path").filter("/hello"::equals).isEmpty()) {
                return Action.CONTINUE;
              }
              sendLocalResponse(
                  200,
                  List.of(Header.of("Hello", "World"), Header.of("Powered-By", "proxy-wasm")),
                  "Hello, World!\n");
              return Action.PAUSE;
            }
          };
        }
      };
    }
  }

  @OnEveryRuntime(
      wasm = "../plugins/wasm/c-http-headers.wasm",
      javaPlugin = "io.proxywasm.testkit.OnEveryRuntimeTest$HelloTwin")
  void answersHelloOnEveryRuntime(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.start()) {
      SEEN.add(plugin.plugin().info().runtime());
      ExchangeResult r = plugin.http().requestHeader(":path", "/hello").run();
      assertEquals(200, r.localResponse().orElseThrow().status());
      assertEquals("Hello, World!\n", r.localResponse().orElseThrow().bodyText());
    }
  }

  @OnEveryRuntime(wasm = "../plugins/wasm/c-http-headers.wasm", runtimes = "chicory")
  void restrictedToOneRuntime(ProxyWasmTestKit kit) throws Exception {
    try (TestPlugin plugin = kit.start()) {
      assertEquals("chicory", plugin.plugin().info().runtime());
    }
  }

  @AfterAll
  static void everyRuntimeRan() {
    assertEquals(Set.of("asm", "chicory", "chicory-compiler", "null"), SEEN);
  }
}

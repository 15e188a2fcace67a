package io.proxywasm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HostCallException;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TestPlugin;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Envoy rules a Java plugin meets on the Null VM, through the host functions it shares with
 * wasm plugins (docs/abi-notes.md; the wasm side is host-default's EnvoyFidelityTest).
 */
class NullVmFidelityTest {
  private final List<String> seen = new ArrayList<>();

  private String attempt(Runnable call) {
    try {
      call.run();
      return "OK";
    } catch (HostCallException e) {
      return e.result().name();
    }
  }

  private final JavaPlugin plugin =
      new JavaPlugin() {
        @Override
        public String name() {
          return "fidelity";
        }

        @Override
        public RootContext newRootContext() {
          return new RootContext() {
            @Override
            public boolean onVmStart(int size) {
              // a root context has no stream to keep a property on (Context::setProperty)
              seen.add("root set " + attempt(() -> setProperty(new byte[] {1}, "k")));
              return true;
            }

            @Override
            public HttpContext newHttpContext(int id) {
              return new HttpContext() {
                @Override
                public Action onRequestHeaders(int headers, boolean endOfStream) {
                  setProperty("v1".getBytes(StandardCharsets.UTF_8), "my_key");
                  seen.add("get " + propertyString("my_key").orElse("none"));
                  seen.add("path " + propertyString("request", "path").orElse("none"));
                  seen.add("response add " + attempt(() -> responseHeaders().add("a", "b")));
                  return Action.CONTINUE;
                }

                @Override
                public Action onRequestBody(int bodySize, boolean endOfStream) {
                  // the request headers are gone once their callback continued
                  seen.add("headers after " + requestHeaders().get(":path").orElse("gone"));
                  seen.add("add after " + attempt(() -> requestHeaders().add("a", "b")));
                  return Action.CONTINUE;
                }
              };
            }
          };
        }
      };

  @Test
  void aJavaPluginGetsEnvoysAnswers() throws Exception {
    try (TestPlugin test = ProxyWasmTestKit.runtime("null").javaPlugin(plugin).start()) {
      seen.clear();
      test.http().requestHeader(":path", "/x").requestBody("body").run();
      assertEquals(
          List.of(
              "get v1",
              "path /x",
              "response add BAD_ARGUMENT",
              "headers after gone",
              "add after BAD_ARGUMENT"),
          seen);
      assertEquals(List.of(), test.logs().messages());
    }
  }

  @Test
  void aRootCannotSetAProperty() throws Exception {
    try (TestPlugin test = ProxyWasmTestKit.runtime("null").javaPlugin(plugin).start()) {
      assertEquals("root set NOT_FOUND", seen.get(0));
      assertEquals(List.of(), test.logs().messages());
    }
  }
}

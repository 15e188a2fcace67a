package io.proxywasm.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.Header;
import io.proxywasm.testkit.ExchangeResult;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TestPlugin;
import java.util.List;
import org.junit.jupiter.api.Test;

class JavaPluginTest {
  /** A plugin that denies /admin, registered nowhere: the kit offers the instance to the VM. */
  static final class DenyAdmin implements JavaPlugin {
    @Override
    public String name() {
      return "deny-admin";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            @Override
            public Action onRequestHeaders(int headers, boolean endOfStream) {
              if (requestHeaders().get(":path").orElse("").startsWith("/admin")) {
                sendLocalResponse(403, List.of(), "denied");
                return Action.PAUSE;
              }
              return Action.CONTINUE;
            }
          };
        }
      };
    }
  }

  @Test
  void deniesAdmin() throws Exception {
    try (TestPlugin plugin = ProxyWasmTestKit.runtime("null").javaPlugin(new DenyAdmin()).start()) {
      ExchangeResult r = plugin.http().requestHeader(":path", "/admin/users").run();
      assertEquals(403, r.localResponse().orElseThrow().status());
      ExchangeResult home = plugin.http().requestHeader(":path", "/").run();
      assertEquals(List.of(Header.of(":status", "200")), home.responseHeaders());
    }
  }
}

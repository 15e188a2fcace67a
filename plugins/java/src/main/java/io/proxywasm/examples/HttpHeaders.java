package io.proxywasm.examples;

import com.google.auto.service.AutoService;
import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.Headers;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.Header;
import java.util.List;

/**
 * The seed's http headers plugin: logs every request and response header at trace level, answers
 * {@code :path} {@code /hello} with a local 200 {@code Hello, World!} (headers {@code Hello: World}
 * and {@code Powered-By: proxy-wasm}), and lets every other request continue. Twin of {@code
 * plugins/c/http_headers.c}.
 */
@AutoService(JavaPlugin.class)
public final class HttpHeaders implements JavaPlugin {
  private static final List<Header> HELLO_HEADERS =
      List.of(Header.of("Hello", "World"), Header.of("Powered-By", "proxy-wasm"));

  /** Creates the plugin; ServiceLoader does this. */
  public HttpHeaders() {}

  @Override
  public String name() {
    return "http-headers";
  }

  @Override
  public RootContext newRootContext() {
    return new RootContext() {
      @Override
      public HttpContext newHttpContext(int contextId) {
        return new Filter();
      }
    };
  }

  /** One HTTP stream. */
  private static final class Filter extends HttpContext {
    private void logAll(Headers headers, String arrow) {
      for (Header e : headers.entries()) {
        logTrace("#" + contextId() + arrow + e.name() + ": " + e.value());
      }
    }

    @Override
    public Action onRequestHeaders(int headers, boolean endOfStream) {
      logAll(requestHeaders(), " -> ");
      if (requestHeaders().get(":path").filter("/hello"::equals).isPresent()) {
        sendLocalResponse(200, HELLO_HEADERS, "Hello, World!\n");
        return Action.PAUSE;
      }
      return Action.CONTINUE;
    }

    @Override
    public Action onResponseHeaders(int headers, boolean endOfStream) {
      logAll(responseHeaders(), " <- ");
      return Action.CONTINUE;
    }

    @Override
    public void onLog() {
      logTrace("#" + contextId() + " completed.");
    }
  }
}

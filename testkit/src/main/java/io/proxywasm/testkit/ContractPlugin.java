package io.proxywasm.testkit;

import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.Header;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The plugin {@link EmbedderContract} runs, shipped in the test kit's jar: what it does depends on
 * the request path.
 *
 * <ul>
 *   <li>{@code /headers}: adds {@code x-wasm-request: added}, removes {@code x-remove-me}; on the
 *       response adds {@code x-wasm-response: added}.
 *   <li>{@code /body}: buffers the request body and replaces it by its upper-case form; appends
 *       {@code " (filtered)"} to the response body.
 *   <li>{@code /deny}: answers 403 {@code denied} with {@code x-denied: yes}.
 *   <li>{@code /pause}: pauses, calls upstream {@code contract-auth}, sets {@code x-auth} to the
 *       answer's body and resumes the request.
 *   <li>{@code /trap}: throws, so the plugin's fail policy applies.
 * </ul>
 */
final class ContractPlugin implements JavaPlugin {
  static final String NAME = "io.proxywasm.testkit.contract";
  static final String AUTH_UPSTREAM = "contract-auth";

  @Override
  public String name() {
    return NAME;
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

  /** One stream. */
  private static final class Filter extends HttpContext {
    private String path = "";

    @Override
    public Action onRequestHeaders(int headers, boolean endOfStream) {
      path = requestHeaders().get(":path").orElse("");
      switch (path) {
        case "/headers":
          requestHeaders().add("x-wasm-request", "added");
          requestHeaders().remove("x-remove-me");
          return Action.CONTINUE;
        case "/deny":
          sendLocalResponse(403, List.of(Header.of("x-denied", "yes")), "denied");
          return Action.PAUSE;
        case "/pause":
          dispatchHttpCall(
              AUTH_UPSTREAM,
              List.of(
                  Header.of(":method", "GET"),
                  Header.of(":path", "/auth"),
                  Header.of(":authority", AUTH_UPSTREAM)),
              new byte[0],
              List.of(),
              Duration.ofSeconds(5));
          return Action.PAUSE;
        case "/trap":
          throw new IllegalStateException("trap requested by the contract");
        default:
          return Action.CONTINUE;
      }
    }

    @Override
    public void onHttpCallResponse(int token, int headers, int bodySize, int trailers) {
      requestHeaders().set("x-auth", new String(httpCallResponseBody(), StandardCharsets.UTF_8));
      resumeRequest();
    }

    @Override
    public Action onRequestBody(int bodySize, boolean endOfStream) {
      if (!path.equals("/body")) {
        return Action.CONTINUE;
      }
      if (!endOfStream) {
        return Action.PAUSE;
      }
      requestBody()
          .replaceAll(
              requestBody()
                  .text()
                  .toUpperCase(java.util.Locale.ROOT)
                  .getBytes(StandardCharsets.UTF_8));
      return Action.CONTINUE;
    }

    @Override
    public Action onResponseHeaders(int headers, boolean endOfStream) {
      if (path.equals("/headers")) {
        responseHeaders().add("x-wasm-response", "added");
      }
      return Action.CONTINUE;
    }

    @Override
    public Action onResponseBody(int bodySize, boolean endOfStream) {
      if (!path.equals("/body")) {
        return Action.CONTINUE;
      }
      if (!endOfStream) {
        return Action.PAUSE;
      }
      responseBody().append(" (filtered)".getBytes(StandardCharsets.UTF_8));
      return Action.CONTINUE;
    }
  }
}

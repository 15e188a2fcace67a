package io.proxywasm.host.internal.abi;

import io.proxywasm.host.HttpCallHandler;
import io.proxywasm.host.HttpCallRequest;
import io.proxywasm.host.HttpCallResponse;
import io.proxywasm.host.internal.vm.Context;
import io.proxywasm.host.internal.vm.Logging;
import io.proxywasm.host.internal.vm.WasmBase;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.WasmResult;
import java.time.Duration;

/**
 * HTTP callouts: dispatch through the embedder's handler, and exactly one answer to the plugin per
 * accepted call, whichever comes first of the response, a failure or the timeout.
 */
final class Callouts {
  private Callouts() {}

  /**
   * Sends a callout for a root context.
   *
   * @return the status for the plugin and, when OK, the token in the low 32 bits of {@code
   *     tokenOut[0]}
   */
  static WasmResult httpCall(Context root, HttpCallRequest request, int[] tokenOut) {
    // Envoy's Context::httpCall: a negative timeout is refused, and the three headers must be
    // present; an empty value is accepted.
    if (request.timeout().isNegative()) {
      return WasmResult.BAD_ARGUMENT;
    }
    for (String required : new String[] {":method", ":path", ":authority"}) {
      if (request.header(required) == null) {
        return WasmResult.BAD_ARGUMENT;
      }
    }
    WasmBase wasm = root.wasm();
    int token = root.rootState().nextHttpCallToken();
    HttpCallHandler.Callback callback =
        new HttpCallHandler.Callback() {
          @Override
          public void onResponse(HttpCallResponse response) {
            deliverLater(root, token, response);
          }

          @Override
          public void onFailure(String reason) {
            deliverLater(root, token, null);
          }
        };
    root.rootState().pendingHttpCalls().add(token);
    WasmResult result;
    try {
      result = wasm.host().httpCalls().dispatch(request, callback);
    } catch (RuntimeException e) {
      Logging.error(wasm, "HTTP callout handler failed: " + e);
      result = WasmResult.INTERNAL_FAILURE;
    }
    if (result != WasmResult.OK) {
      root.rootState().pendingHttpCalls().remove(token);
      return result;
    }
    if (!request.timeout().isZero()) { // 0 means no timeout, as for Envoy's async client
      wasm.delivery().post(request.timeout(), () -> deliver(root, token, TIMED_OUT));
    }
    tokenOut[0] = token;
    return WasmResult.OK;
  }

  /**
   * What a timed-out call answers, as Envoy's async HTTP client answers it: the router's local
   * reply, 504 with the body "upstream request timeout".
   */
  private static final HttpCallResponse TIMED_OUT =
      new HttpCallResponse(
          java.util.List.of(
              Header.of(":status", "504"),
              Header.of("content-length", "24"),
              Header.of("content-type", "text/plain")),
          "upstream request timeout".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          java.util.List.of());

  private static void deliverLater(Context root, int token, HttpCallResponse response) {
    root.wasm().delivery().post(Duration.ZERO, () -> deliver(root, token, response));
  }

  /** Delivers the first outcome of a call; later ones find the token gone. */
  private static void deliver(Context root, int token, HttpCallResponse response) {
    if (root.rootState().pendingHttpCalls().remove(token)) {
      root.rootState().onHttpCallResponse(token, response);
    }
  }
}

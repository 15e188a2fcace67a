package io.proxywasm.host;

import io.proxywasm.spi.WasmResult;

/**
 * Sends the HTTP callouts plugins make. The host guarantees the plugin is called back exactly once
 * per accepted call: with the response, with a failure, or with a failure when the timeout passes
 * first (a later answer is then dropped). Must be thread-safe; answers may arrive on any thread.
 */
@FunctionalInterface
public interface HttpCallHandler {
  /** A handler that knows no upstream: every call fails with {@link WasmResult#BAD_ARGUMENT}. */
  HttpCallHandler NONE = (request, callback) -> WasmResult.BAD_ARGUMENT;

  /**
   * Sends a callout.
   *
   * @param request the callout
   * @param callback where to answer, once
   * @return {@link WasmResult#OK} if the call was sent; {@link WasmResult#BAD_ARGUMENT} for an
   *     unknown upstream (as Envoy answers an unknown cluster); {@link WasmResult#INTERNAL_FAILURE}
   *     if it could not be sent
   */
  WasmResult dispatch(HttpCallRequest request, Callback callback);

  /** Receives the outcome of one callout. */
  interface Callback {
    /**
     * The upstream answered.
     *
     * @param response the response
     */
    void onResponse(HttpCallResponse response);

    /**
     * The call failed (reset, no healthy upstream...).
     *
     * @param reason why, for logs
     */
    void onFailure(String reason);
  }
}

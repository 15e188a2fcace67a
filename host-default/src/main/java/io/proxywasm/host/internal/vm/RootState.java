package io.proxywasm.host.internal.vm;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.GrpcCallHandler;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpCallResponse;
import io.proxywasm.host.Scheduler;
import io.proxywasm.spi.BufferType;
import io.proxywasm.spi.Callback;
import io.proxywasm.spi.HeaderMapType;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.WasmResult;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What only a root context keeps, and the callbacks only a root receives: its start and
 * configuration, its tick, its shared-queue notifications, its HTTP and gRPC callouts with the
 * maps, buffers and status visible while their answers are delivered, and foreign function calls.
 * Stream contexts carry none of it. The VM context (id 0) has one too, as cpp-host's VM context is
 * a root of sorts. Used under the VM's lock.
 */
public final class RootState {
  /**
   * An open gRPC callout: the plugin's side of it, and whether it is a stream.
   *
   * @param outbound where the plugin's messages, cancel and close go
   * @param streaming true for a stream, false for a unary call
   */
  public record Pending(GrpcCallHandler.Outbound outbound, boolean streaming) {}

  private final Context root;
  private final WasmBase wasm;
  private final Map<HeaderMapType, HeaderMap> calloutMaps = new EnumMap<>(HeaderMapType.class);
  private final Map<BufferType, BodyBuffer> calloutBuffers = new EnumMap<>(BufferType.class);
  private final Set<Integer> pendingHttpCalls = new HashSet<>();
  private final Map<Integer, Pending> pendingGrpc = new HashMap<>();
  private boolean configuring;
  private int statusCode;
  private String statusMessage = "";
  private long tickPeriodMillis;
  private Scheduler.Cancellable tick;

  /** When this root's current one-second tick window began ({@link System#nanoTime()}). */
  private long tickWindowStart;

  /** How long this root's ticks ran in the current window. */
  private long tickNanosSpent;

  RootState(Context root, WasmBase wasm) {
    this.root = root;
    this.wasm = wasm;
  }

  // ---- start and configuration ----------------------------------------------------------------

  /**
   * Whether the plugin configuration is readable: during the root's {@code proxy_on_context_create}
   * and {@code proxy_on_configure} (cpp-host's {@code temp_plugin_}).
   */
  boolean configuring() {
    return configuring;
  }

  private void createRoot() {
    root.markCreated();
    configuring = true;
    try {
      wasm.calls().callIn(root, Callback.ON_CONTEXT_CREATE, root.id(), 0);
    } finally {
      configuring = false;
    }
  }

  boolean onStart() {
    CallDispatcher calls = wasm.calls();
    if (calls.has(Callback.ON_CONTEXT_CREATE)) {
      createRoot();
    }
    if (!calls.has(Callback.ON_VM_START)) {
      return true;
    }
    int size = wasm.spec().vmConfiguration().length;
    return calls.callIn(root, Callback.ON_VM_START, root.id(), size) != 0;
  }

  boolean onConfigure() {
    CallDispatcher calls = wasm.calls();
    if (wasm.isFailed()) {
      return true;
    }
    if (!root.createdInVm() && calls.has(Callback.ON_CONTEXT_CREATE)) {
      createRoot();
    }
    if (!calls.has(Callback.ON_CONFIGURE)) {
      return true;
    }
    configuring = true;
    try {
      int size = root.plugin().config().pluginConfiguration().length;
      return calls.callIn(root, Callback.ON_CONFIGURE, root.id(), size) != 0;
    } finally {
      configuring = false;
    }
  }

  // ---- ticks ----------------------------------------------------------------------------------

  long tickPeriodMillis() {
    return tickPeriodMillis;
  }

  /** Sets the tick period; 0 disables ticks. */
  void setTickPeriod(long millis) {
    tickPeriodMillis = millis;
    cancelTick();
    if (millis > 0) {
      armTick();
    }
  }

  private void armTick() {
    long period = tickPeriodMillis;
    tick =
        wasm.delivery()
            .post(
                Duration.ofMillis(period),
                () -> {
                  if (root.isDeleted() || tickPeriodMillis != period || wasm.isFailed()) {
                    return;
                  }
                  budgetedTick();
                  if (tickPeriodMillis == period && !root.isDeleted()) {
                    armTick();
                  }
                });
  }

  /**
   * Runs a timer tick unless this root's ticks already used their budget in the current second; a
   * skipped tick is counted as {@code wasm.<runtime>.ticks_skipped}.
   */
  private void budgetedTick() {
    long now = System.nanoTime();
    if (now - tickWindowStart >= 1_000_000_000L) {
      tickWindowStart = now;
      tickNanosSpent = 0;
    }
    if (tickNanosSpent >= wasm.host().tickBudget().toNanos()) {
      wasm.host()
          .extension()
          .hostMetric(
              MetricType.COUNTER, "wasm." + wasm.spec().provider().name() + ".ticks_skipped")
          .add(1);
      return;
    }
    onTick();
    tickNanosSpent += System.nanoTime() - now;
  }

  /** Calls {@code proxy_on_tick}. */
  void onTick() {
    if (!wasm.isFailed()) {
      wasm.calls().callIn(root, Callback.ON_TICK, root.id());
    }
  }

  void cancelTick() {
    if (tick != null) {
      tick.cancel();
      tick = null;
    }
  }

  /** Stops the tick for good; the VM is going away. */
  void cancelTimers() {
    cancelTick();
    tickPeriodMillis = 0;
  }

  // ---- queues, callouts, foreign functions -----------------------------------------------------

  /** Calls {@code proxy_on_queue_ready}. */
  public void onQueueReady(int token) {
    if (!wasm.isFailed() && !root.isDeleted()) {
      wasm.calls().callIn(root, Callback.ON_QUEUE_READY, root.id(), token);
    }
  }

  Map<HeaderMapType, HeaderMap> calloutMaps() {
    return calloutMaps;
  }

  Map<BufferType, BodyBuffer> calloutBuffers() {
    return calloutBuffers;
  }

  int statusCode() {
    return statusCode;
  }

  String statusMessage() {
    return statusMessage;
  }

  public Map<Integer, Pending> pendingGrpc() {
    return pendingGrpc;
  }

  public Set<Integer> pendingHttpCalls() {
    return pendingHttpCalls;
  }

  /**
   * Tokens of HTTP callouts: 4, 8, 12..., numbered per VM as cpp-host's {@code
   * WasmBase::nextHttpCallId} numbers them, so that two root contexts of one VM never share one.
   */
  public int nextHttpCallToken() {
    int token;
    do {
      token = wasm.contexts().nextCalloutToken(0);
    } while (pendingHttpCalls.contains(token));
    return token;
  }

  /**
   * Tokens of gRPC calls (5, 9, 13...) and streams (6, 10, 14...), numbered per VM as cpp-host's
   * {@code WasmBase::nextGrpcCallId} and {@code nextGrpcStreamId} number them.
   */
  public int nextGrpcToken(boolean streaming) {
    int token;
    do {
      token = wasm.contexts().nextCalloutToken(streaming ? 2 : 1);
    } while (pendingGrpc.containsKey(token));
    return token;
  }

  /**
   * Calls one of the gRPC callbacks with its data visible during the call.
   *
   * @param cb the callback
   * @param token the call's token
   * @param metadata the metadata for the metadata callbacks, else null
   * @param message the message for {@code proxy_on_grpc_receive}, else null
   * @param status the status for {@code proxy_on_grpc_close}
   * @param statusText the status message for {@code proxy_on_grpc_close}
   */
  public void onGrpc(
      Callback cb, int token, HeaderMap metadata, byte[] message, int status, String statusText) {
    if (wasm.isFailed() || root.isDeleted()) {
      return;
    }
    HeaderMapType mapType =
        cb == Callback.ON_GRPC_RECEIVE_INITIAL_METADATA
            ? HeaderMapType.GRPC_RECEIVE_INITIAL_METADATA
            : HeaderMapType.GRPC_RECEIVE_TRAILING_METADATA;
    CallDispatcher calls = wasm.calls();
    try {
      if (cb == Callback.ON_GRPC_CLOSE) {
        statusCode = status;
        statusMessage = statusText;
        calls.callIn(root, cb, root.id(), token, status);
      } else if (cb == Callback.ON_GRPC_RECEIVE) {
        calloutBuffers.put(BufferType.GRPC_RECEIVE_BUFFER, new BodyBuffer(message));
        calls.callIn(root, cb, root.id(), token, message.length);
      } else {
        calloutMaps.put(mapType, metadata);
        calls.callIn(root, cb, root.id(), token, metadata.size());
      }
    } finally {
      calloutMaps.remove(mapType);
      calloutBuffers.remove(BufferType.GRPC_RECEIVE_BUFFER);
    }
  }

  /**
   * Calls {@code proxy_on_http_call_response} with the response (or a failure) visible through the
   * callout header maps and body buffer during the call. A failure (the call was reset) answers
   * with no headers, body or trailers, and {@code proxy_get_status} says 11 ({@code
   * BrokenConnection}) "reset" during the callback, as Envoy's {@code onHttpCallFailure} does.
   *
   * @param token the call's token
   * @param response the response, or null for a failure
   */
  public void onHttpCallResponse(int token, HttpCallResponse response) {
    if (wasm.isFailed() || root.isDeleted()) {
      return;
    }
    if (response == null) {
      statusCode = WasmResult.BROKEN_CONNECTION.code();
      statusMessage = "reset";
    }
    HeaderMap headers = response == null ? new HeaderMap() : HeaderMap.of(response.headers());
    HeaderMap trailers = response == null ? new HeaderMap() : HeaderMap.of(response.trailers());
    BodyBuffer body = new BodyBuffer(response == null ? new byte[0] : response.body());
    calloutMaps.put(HeaderMapType.HTTP_CALL_RESPONSE_HEADERS, headers);
    calloutMaps.put(HeaderMapType.HTTP_CALL_RESPONSE_TRAILERS, trailers);
    calloutBuffers.put(BufferType.HTTP_CALL_RESPONSE_BODY, body);
    try {
      wasm.calls()
          .callIn(
              root,
              Callback.ON_HTTP_CALL_RESPONSE,
              root.id(),
              token,
              headers.size(),
              body.length(),
              trailers.size());
    } finally {
      if (response == null) {
        statusMessage = "";
      }
      calloutMaps.remove(HeaderMapType.HTTP_CALL_RESPONSE_HEADERS);
      calloutMaps.remove(HeaderMapType.HTTP_CALL_RESPONSE_TRAILERS);
      calloutBuffers.remove(BufferType.HTTP_CALL_RESPONSE_BODY);
    }
  }

  /** Calls {@code proxy_on_foreign_function} with the data visible as the call-data buffer. */
  void onForeignFunction(int functionId, byte[] data) {
    if (wasm.isFailed() || root.isDeleted()) {
      return;
    }
    calloutBuffers.put(BufferType.CALL_DATA, new BodyBuffer(data));
    try {
      wasm.calls().callIn(root, Callback.ON_FOREIGN_FUNCTION, root.id(), functionId, data.length);
    } finally {
      calloutBuffers.remove(BufferType.CALL_DATA);
    }
  }
}

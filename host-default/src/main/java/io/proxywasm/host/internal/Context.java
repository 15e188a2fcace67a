package io.proxywasm.host.internal;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.Scheduler;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Callback;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.FilterStatus;
import io.proxywasm.spi.FilterTrailersStatus;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.StreamType;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * A proxy-wasm context: the VM context (id 0), a root context (one per plugin per VM) or a stream
 * context (one per HTTP stream or TCP connection). It calls the plugin's callbacks for its id and
 * applies the ABI's result conversions and the plugin's fail policy.
 */
public final class Context {
  private final WasmBase wasm;
  private final int id;
  private final Context root;
  private final LoadedPlugin plugin;
  private final StreamRole stream;
  private boolean createdInVm;
  private boolean requestStarted;
  private boolean deleted;
  private boolean streamFailed;
  private boolean configuring;
  // Callout state lives on root contexts; made on first use so that a stream costs none of it.
  private Map<io.proxywasm.spi.HeaderMapType, HeaderMap> calloutMaps;
  private Map<io.proxywasm.spi.BufferType, BodyBuffer> calloutBuffers;
  private java.util.Set<Integer> pendingHttpCalls;
  private Map<Integer, GrpcCallouts.Pending> pendingGrpc;
  private int statusCode;
  private String statusMessage = "";
  private long tickPeriodMillis;
  private Scheduler.Cancellable tick;

  Context(WasmBase wasm, int id, Context root, LoadedPlugin plugin, StreamRole stream) {
    this.wasm = wasm;
    this.id = id;
    this.root = root == null ? this : root;
    this.plugin = plugin;
    this.stream = stream == null ? StreamRole.NONE : stream;
  }

  static Context newRoot(WasmBase wasm, LoadedPlugin plugin) {
    Context c = new Context(wasm, wasm.allocContextId(), null, plugin, StreamRole.NONE);
    wasm.register(c);
    return c;
  }

  /**
   * Creates a stream context under a root context; the plugin sees it on the first callback.
   *
   * @param root the plugin's root context
   * @param stream the stream it serves
   * @return the context
   */
  public static Context newStream(Context root, StreamRole stream) {
    WasmBase wasm = root.wasm;
    Context c = new Context(wasm, wasm.allocContextId(), root, root.plugin, stream);
    wasm.register(c);
    return c;
  }

  /**
   * Returns the id.
   *
   * @return the context id
   */
  public int id() {
    return id;
  }

  /**
   * Returns whether this is a root context.
   *
   * @return true for a root context
   */
  public boolean isRoot() {
    return root == this && id != 0;
  }

  /**
   * Returns the root context of this context (itself for a root).
   *
   * @return the root
   */
  public Context root() {
    return root;
  }

  /**
   * Returns the plugin.
   *
   * @return the plugin, or null for the VM context
   */
  public LoadedPlugin plugin() {
    return plugin;
  }

  /**
   * Returns the VM.
   *
   * @return the VM
   */
  public WasmBase wasm() {
    return wasm;
  }

  StreamRole stream() {
    return stream;
  }

  /**
   * Whether the plugin configuration is readable: during the root's {@code proxy_on_context_create}
   * and {@code proxy_on_configure} (cpp-host's {@code temp_plugin_}).
   */
  boolean configuring() {
    return configuring;
  }

  /**
   * Whether the plugin has seen this context ({@code proxy_on_context_create} was called).
   *
   * @return true once created in the VM
   */
  public boolean createdInVm() {
    return createdInVm;
  }

  private void createRoot() {
    createdInVm = true;
    configuring = true;
    try {
      wasm.callIn(this, Callback.ON_CONTEXT_CREATE, id, 0);
    } finally {
      configuring = false;
    }
  }

  Map<io.proxywasm.spi.HeaderMapType, HeaderMap> calloutMaps() {
    if (calloutMaps == null) {
      calloutMaps = new EnumMap<>(io.proxywasm.spi.HeaderMapType.class);
    }
    return calloutMaps;
  }

  Map<io.proxywasm.spi.BufferType, BodyBuffer> calloutBuffers() {
    if (calloutBuffers == null) {
      calloutBuffers = new EnumMap<>(io.proxywasm.spi.BufferType.class);
    }
    return calloutBuffers;
  }

  // ---- root lifecycle -------------------------------------------------------------------------

  boolean onStart() {
    if (wasm.has(Callback.ON_CONTEXT_CREATE)) {
      createRoot();
    }
    if (!wasm.has(Callback.ON_VM_START)) {
      return true;
    }
    return wasm.callIn(this, Callback.ON_VM_START, id, wasm.spec().vmConfiguration().length) != 0;
  }

  boolean onConfigure() {
    if (wasm.isFailed()) {
      return true;
    }
    if (!createdInVm && wasm.has(Callback.ON_CONTEXT_CREATE)) {
      createRoot();
    }
    if (!wasm.has(Callback.ON_CONFIGURE)) {
      return true;
    }
    configuring = true;
    try {
      return wasm.callIn(
              this, Callback.ON_CONFIGURE, id, plugin.config().pluginConfiguration().length)
          != 0;
    } finally {
      configuring = false;
    }
  }

  /**
   * Sets the tick period of this root context; 0 disables ticks.
   *
   * @param millis the period
   */
  void setTickPeriod(long millis) {
    Context r = root;
    r.tickPeriodMillis = millis;
    if (r.tick != null) {
      r.tick.cancel();
      r.tick = null;
    }
    if (millis > 0) {
      r.armTick();
    }
  }

  private void armTick() {
    long period = tickPeriodMillis;
    tick =
        wasm.post(
            Duration.ofMillis(period),
            () -> {
              if (deleted || tickPeriodMillis != period || wasm.isFailed()) {
                return;
              }
              budgetedTick();
              if (tickPeriodMillis == period && !deleted) {
                armTick();
              }
            });
  }

  /** When this root's current one-second tick window began ({@link System#nanoTime()}). */
  private long tickWindowStart;

  /** How long this root's ticks ran in the current window. */
  private long tickNanosSpent;

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
              io.proxywasm.spi.MetricType.COUNTER,
              "wasm." + wasm.spec().provider().name() + ".ticks_skipped")
          .add(1);
      return;
    }
    onTick();
    tickNanosSpent += System.nanoTime() - now;
  }

  /**
   * Returns the tick period.
   *
   * @return milliseconds; 0 when ticks are off
   */
  public long tickPeriodMillis() {
    return root.tickPeriodMillis;
  }

  /** Calls {@code proxy_on_tick}. Caller holds the VM lock. */
  public void onTick() {
    if (!wasm.isFailed()) {
      wasm.callIn(this, Callback.ON_TICK, id);
    }
  }

  /**
   * Calls {@code proxy_on_queue_ready}. Caller holds the VM lock.
   *
   * @param token the queue token
   */
  public void onQueueReady(int token) {
    if (!wasm.isFailed() && !deleted) {
      wasm.callIn(this, Callback.ON_QUEUE_READY, id, token);
    }
  }

  Map<Integer, GrpcCallouts.Pending> pendingGrpc() {
    if (pendingGrpc == null) {
      pendingGrpc = new java.util.HashMap<>();
    }
    return pendingGrpc;
  }

  /**
   * Tokens of gRPC calls (5, 9, 13...) and streams (6, 10, 14...), numbered per VM as cpp-host's
   * {@code WasmBase::nextGrpcCallId} and {@code nextGrpcStreamId} number them.
   */
  int nextGrpcToken(boolean streaming) {
    int token;
    do {
      token = wasm.nextCalloutToken(streaming ? 2 : 1);
    } while (pendingGrpc().containsKey(token));
    return token;
  }

  int statusCode() {
    return statusCode;
  }

  String statusMessage() {
    return statusMessage;
  }

  /**
   * Calls one of the gRPC callbacks with its data visible during the call. Caller holds the VM
   * lock.
   *
   * @param cb the callback
   * @param token the call's token
   * @param metadata the metadata for the metadata callbacks, else null
   * @param message the message for {@code proxy_on_grpc_receive}, else null
   * @param status the status for {@code proxy_on_grpc_close}
   * @param statusText the status message for {@code proxy_on_grpc_close}
   */
  void onGrpc(
      Callback cb, int token, HeaderMap metadata, byte[] message, int status, String statusText) {
    if (wasm.isFailed() || deleted) {
      return;
    }
    io.proxywasm.spi.HeaderMapType mapType =
        cb == Callback.ON_GRPC_RECEIVE_INITIAL_METADATA
            ? io.proxywasm.spi.HeaderMapType.GRPC_RECEIVE_INITIAL_METADATA
            : io.proxywasm.spi.HeaderMapType.GRPC_RECEIVE_TRAILING_METADATA;
    try {
      if (cb == Callback.ON_GRPC_CLOSE) {
        statusCode = status;
        statusMessage = statusText;
        wasm.callIn(this, cb, id, token, status);
      } else if (cb == Callback.ON_GRPC_RECEIVE) {
        calloutBuffers()
            .put(io.proxywasm.spi.BufferType.GRPC_RECEIVE_BUFFER, new BodyBuffer(message));
        wasm.callIn(this, cb, id, token, message.length);
      } else {
        calloutMaps().put(mapType, metadata);
        wasm.callIn(this, cb, id, token, metadata.size());
      }
    } finally {
      calloutMaps().remove(mapType);
      calloutBuffers().remove(io.proxywasm.spi.BufferType.GRPC_RECEIVE_BUFFER);
    }
  }

  java.util.Set<Integer> pendingHttpCalls() {
    if (pendingHttpCalls == null) {
      pendingHttpCalls = new java.util.HashSet<>();
    }
    return pendingHttpCalls;
  }

  /**
   * Tokens of HTTP callouts: 4, 8, 12..., numbered per VM as cpp-host's {@code
   * WasmBase::nextHttpCallId} numbers them, so that two root contexts of one VM never share one.
   */
  int nextHttpCallToken() {
    int token;
    do {
      token = wasm.nextCalloutToken(0);
    } while (pendingHttpCalls().contains(token));
    return token;
  }

  /**
   * Calls {@code proxy_on_http_call_response} with the response (or a failure) visible through the
   * callout header maps and body buffer during the call. A failure (the call was reset) answers
   * with no headers, body or trailers, and {@code proxy_get_status} says 11 ({@code
   * BrokenConnection}) "reset" during the callback, as Envoy's {@code onHttpCallFailure} does.
   * Caller holds the VM lock.
   *
   * @param token the call's token
   * @param response the response, or null for a failure
   */
  void onHttpCallResponse(int token, io.proxywasm.host.HttpCallResponse response) {
    if (wasm.isFailed() || deleted) {
      return;
    }
    if (response == null) {
      statusCode = io.proxywasm.spi.WasmResult.BROKEN_CONNECTION.code();
      statusMessage = "reset";
    }
    HeaderMap headers = response == null ? new HeaderMap() : HeaderMap.of(response.headers());
    HeaderMap trailers = response == null ? new HeaderMap() : HeaderMap.of(response.trailers());
    BodyBuffer body = new BodyBuffer(response == null ? new byte[0] : response.body());
    calloutMaps().put(io.proxywasm.spi.HeaderMapType.HTTP_CALL_RESPONSE_HEADERS, headers);
    calloutMaps().put(io.proxywasm.spi.HeaderMapType.HTTP_CALL_RESPONSE_TRAILERS, trailers);
    calloutBuffers().put(io.proxywasm.spi.BufferType.HTTP_CALL_RESPONSE_BODY, body);
    try {
      wasm.callIn(
          this,
          Callback.ON_HTTP_CALL_RESPONSE,
          id,
          token,
          headers.size(),
          body.length(),
          trailers.size());
    } finally {
      if (response == null) {
        statusMessage = "";
      }
      calloutMaps().remove(io.proxywasm.spi.HeaderMapType.HTTP_CALL_RESPONSE_HEADERS);
      calloutMaps().remove(io.proxywasm.spi.HeaderMapType.HTTP_CALL_RESPONSE_TRAILERS);
      calloutBuffers().remove(io.proxywasm.spi.BufferType.HTTP_CALL_RESPONSE_BODY);
    }
  }

  /**
   * Calls {@code proxy_on_foreign_function} with the data visible as the call-data buffer. Caller
   * holds the VM lock.
   *
   * @param functionId the embedder's function id
   * @param data the data
   */
  public void onForeignFunction(int functionId, byte[] data) {
    if (wasm.isFailed() || deleted) {
      return;
    }
    calloutBuffers().put(io.proxywasm.spi.BufferType.CALL_DATA, new BodyBuffer(data));
    try {
      wasm.callIn(this, Callback.ON_FOREIGN_FUNCTION, id, functionId, data.length);
    } finally {
      calloutBuffers().remove(io.proxywasm.spi.BufferType.CALL_DATA);
    }
  }

  // ---- stream lifecycle -----------------------------------------------------------------------

  /** Calls {@code proxy_on_context_create(id, root_id)} once, before the first stream callback. */
  public void onCreate() {
    if (!wasm.isFailed() && !createdInVm) {
      createdInVm = true;
      wasm.callIn(this, Callback.ON_CONTEXT_CREATE, id, root.id);
    }
  }

  /**
   * Calls {@code proxy_on_done}.
   *
   * @return the plugin's answer; true if not exported or failed
   */
  public boolean onDone() {
    if (wasm.isFailed() || !wasm.has(Callback.ON_DONE)) {
      return true;
    }
    return wasm.callIn(this, Callback.ON_DONE, id) != 0;
  }

  /** Calls {@code proxy_on_log}. */
  public void onLog() {
    if (!wasm.isFailed()) {
      onCreate();
      wasm.callIn(this, Callback.ON_LOG, id);
    }
  }

  /** Stops this context's tick; its VM is going away. */
  void cancelTimers() {
    if (tick != null) {
      tick.cancel();
      tick = null;
    }
    tickPeriodMillis = 0;
  }

  /** Calls {@code proxy_on_delete} if the plugin saw this context, and forgets the context. */
  public void onDelete() {
    if (deleted) {
      return;
    }
    deleted = true;
    if (tick != null) {
      tick.cancel();
      tick = null;
    }
    try {
      if (createdInVm && !wasm.isFailed()) {
        wasm.callIn(this, Callback.ON_DELETE, id);
      }
    } finally {
      wasm.unregister(this);
    }
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private boolean failOpen() {
    return plugin.config().failPolicy() == FailPolicy.FAIL_OPEN;
  }

  /**
   * Applies the fail policy if the VM has failed.
   *
   * @param first the first direction to fail
   * @param second the second direction to fail
   * @return true if the VM has failed (the caller returns its fail value)
   */
  private boolean checkFailed(StreamType first, StreamType second) {
    if (!wasm.isFailed()) {
      return false;
    }
    if (!failOpen() && !streamFailed) {
      streamFailed = true;
      stream.failStream(first);
      stream.failStream(second);
    }
    return true;
  }

  private FilterHeadersStatus headersFailValue() {
    return failOpen()
        ? FilterHeadersStatus.CONTINUE
        : FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
  }

  /**
   * Calls a header callback: {@code proxy_on_request_headers} or {@code proxy_on_response_headers}.
   *
   * @param response false for the request, true for the response
   * @param headers the number of headers
   * @param endOfStream whether no body follows
   * @return the status, converted as cpp-host converts it
   */
  public FilterHeadersStatus onHeaders(boolean response, int headers, boolean endOfStream) {
    if (response && !requestStarted) {
      // Envoy's encodeHeaders: a stream whose request the plugin never saw passes untouched
      return FilterHeadersStatus.CONTINUE;
    }
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return headersFailValue();
    }
    onCreate();
    requestStarted = true;
    long r;
    if (wasm.abi() == AbiVersion.V0_1_0) {
      r =
          wasm.callForStatus(
              this,
              response ? Callback.ON_RESPONSE_HEADERS_0_1_0 : Callback.ON_REQUEST_HEADERS_0_1_0,
              id,
              headers);
    } else {
      r =
          wasm.callForStatus(
              this,
              response ? Callback.ON_RESPONSE_HEADERS : Callback.ON_REQUEST_HEADERS,
              id,
              headers,
              endOfStream ? 1 : 0);
    }
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return headersFailValue();
    }
    long code = r & 0xFFFF_FFFFL;
    if ((r >>> 32) != 0 || code > 4 || code == 1) {
      return FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
    }
    return FilterHeadersStatus.fromCode(code).orElseThrow();
  }

  /**
   * Calls a body callback.
   *
   * @param response false for the request, true for the response
   * @param length the number of bytes buffered
   * @param endOfStream whether this is the last chunk
   * @return the status, converted as cpp-host converts it
   */
  public FilterDataStatus onBody(boolean response, int length, boolean endOfStream) {
    if (!requestStarted) {
      return FilterDataStatus.CONTINUE;
    }
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return failOpen() ? FilterDataStatus.CONTINUE : FilterDataStatus.STOP_ITERATION_NO_BUFFER;
    }
    onCreate();
    long r =
        wasm.callForStatus(
            this,
            response ? Callback.ON_RESPONSE_BODY : Callback.ON_REQUEST_BODY,
            id,
            length,
            endOfStream ? 1 : 0);
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return failOpen() ? FilterDataStatus.CONTINUE : FilterDataStatus.STOP_ITERATION_NO_BUFFER;
    }
    long code = r & 0xFFFF_FFFFL;
    if ((r >>> 32) != 0 || code > 3) {
      return FilterDataStatus.STOP_ITERATION_NO_BUFFER;
    }
    return FilterDataStatus.fromCode(code).orElseThrow();
  }

  /**
   * Calls a trailer callback.
   *
   * @param response false for the request, true for the response
   * @param trailers the number of trailers
   * @return the status, converted as cpp-host converts it
   */
  public FilterTrailersStatus onTrailers(boolean response, int trailers) {
    if (!requestStarted) {
      return FilterTrailersStatus.CONTINUE;
    }
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return failOpen() ? FilterTrailersStatus.CONTINUE : FilterTrailersStatus.STOP_ITERATION;
    }
    onCreate();
    long r =
        wasm.callForStatus(
            this,
            response ? Callback.ON_RESPONSE_TRAILERS : Callback.ON_REQUEST_TRAILERS,
            id,
            trailers);
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return failOpen() ? FilterTrailersStatus.CONTINUE : FilterTrailersStatus.STOP_ITERATION;
    }
    long code = r & 0xFFFF_FFFFL;
    return (r >>> 32) != 0 || code > 1
        ? FilterTrailersStatus.STOP_ITERATION
        : FilterTrailersStatus.fromCode(code).orElseThrow();
  }

  /**
   * Calls a metadata callback; metadata always continues.
   *
   * @param response false for the request, true for the response
   * @param elements the number of metadata elements
   */
  public void onMetadata(boolean response, int elements) {
    if (!requestStarted) {
      return;
    }
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return;
    }
    onCreate();
    wasm.callIn(
        this,
        response ? Callback.ON_RESPONSE_METADATA : Callback.ON_REQUEST_METADATA,
        id,
        elements);
    checkFailed(StreamType.REQUEST, StreamType.RESPONSE);
  }

  // ---- TCP ------------------------------------------------------------------------------------

  private FilterStatus network(Callback cb, long... args) {
    if (checkFailed(StreamType.DOWNSTREAM, StreamType.UPSTREAM)) {
      return failOpen() ? FilterStatus.CONTINUE : FilterStatus.STOP_ITERATION;
    }
    onCreate();
    long r = wasm.callIn(this, cb, args);
    if (checkFailed(StreamType.DOWNSTREAM, StreamType.UPSTREAM)) {
      return failOpen() ? FilterStatus.CONTINUE : FilterStatus.STOP_ITERATION;
    }
    return r == 0 ? FilterStatus.CONTINUE : FilterStatus.STOP_ITERATION;
  }

  /**
   * Calls {@code proxy_on_new_connection}.
   *
   * @return the status
   */
  public FilterStatus onNewConnection() {
    return network(Callback.ON_NEW_CONNECTION, id);
  }

  /**
   * Calls {@code proxy_on_downstream_data} or {@code proxy_on_upstream_data}.
   *
   * @param upstream true for upstream data
   * @param length the bytes buffered
   * @param endOfStream whether the peer closed its side
   * @return the status
   */
  public FilterStatus onData(boolean upstream, int length, boolean endOfStream) {
    if (!createdInVm) {
      return FilterStatus.CONTINUE; // Envoy's onData/onWrite before the connection was seen
    }
    return network(
        upstream ? Callback.ON_UPSTREAM_DATA : Callback.ON_DOWNSTREAM_DATA,
        id,
        length,
        endOfStream ? 1 : 0);
  }

  /**
   * Calls {@code proxy_on_downstream_connection_close} or {@code
   * proxy_on_upstream_connection_close}.
   *
   * @param upstream true for the upstream side
   * @param peer who closed it
   */
  public void onConnectionClose(boolean upstream, PeerType peer) {
    // Envoy's Context::onEvent: nothing for a connection the plugin never saw
    if (!wasm.isFailed() && createdInVm) {
      wasm.callIn(
          this,
          upstream
              ? Callback.ON_UPSTREAM_CONNECTION_CLOSE
              : Callback.ON_DOWNSTREAM_CONNECTION_CLOSE,
          id,
          peer.code());
    }
  }
}

package io.proxywasm.host.internal;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.BufferType;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.FilterStatus;
import io.proxywasm.spi.FilterTrailersStatus;
import io.proxywasm.spi.HeaderMapType;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.StreamType;
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

  /** The root's own state; null for a stream context. */
  private final RootState state;

  private boolean createdInVm;
  private boolean requestStarted;
  private boolean deleted;
  private boolean streamFailed;

  private Context(WasmBase wasm, int id, Context root, LoadedPlugin plugin, StreamRole stream) {
    this.wasm = wasm;
    this.id = id;
    this.root = root == null ? this : root;
    this.plugin = plugin;
    this.stream = stream == null ? StreamRole.NONE : stream;
    this.state = root == null ? new RootState(this, wasm) : null;
  }

  /** The VM context (id 0) of a VM. */
  static Context vmContext(WasmBase wasm) {
    return new Context(wasm, 0, null, null, null);
  }

  static Context newRoot(WasmBase wasm, LoadedPlugin plugin) {
    Context c = new Context(wasm, wasm.contexts().allocateId(), null, plugin, StreamRole.NONE);
    wasm.contexts().register(c);
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
    Context c = new Context(wasm, wasm.contexts().allocateId(), root, root.plugin, stream);
    wasm.contexts().register(c);
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

  /** The state of this context's root (its own for a root or the VM context). */
  RootState rootState() {
    return root.state;
  }

  /**
   * Whether the plugin has seen this context ({@code proxy_on_context_create} was called).
   *
   * @return true once created in the VM
   */
  public boolean createdInVm() {
    return createdInVm;
  }

  void markCreated() {
    createdInVm = true;
  }

  boolean isDeleted() {
    return deleted;
  }

  // ---- the root's state, as host calls read it through any context of the root -----------------

  boolean configuring() {
    return root.state.configuring();
  }

  Map<HeaderMapType, HeaderMap> calloutMaps() {
    return root.state.calloutMaps();
  }

  Map<BufferType, BodyBuffer> calloutBuffers() {
    return root.state.calloutBuffers();
  }

  int statusCode() {
    return root.state.statusCode();
  }

  String statusMessage() {
    return root.state.statusMessage();
  }

  void setTickPeriod(long millis) {
    root.state.setTickPeriod(millis);
  }

  /**
   * Returns the tick period of this context's root.
   *
   * @return milliseconds; 0 when ticks are off
   */
  public long tickPeriodMillis() {
    return root.state.tickPeriodMillis();
  }

  /** Calls the root's {@code proxy_on_tick}. Inside the VM. */
  public void onTick() {
    root.state.onTick();
  }

  /**
   * Calls the root's {@code proxy_on_foreign_function} with the data visible as the call-data
   * buffer. Inside the VM.
   *
   * @param functionId the embedder's function id
   * @param data the data
   */
  public void onForeignFunction(int functionId, byte[] data) {
    root.state.onForeignFunction(functionId, data);
  }

  // ---- stream lifecycle -----------------------------------------------------------------------

  /** Calls {@code proxy_on_context_create(id, root_id)} once, before the first stream callback. */
  public void onCreate() {
    if (!wasm.isFailed() && !createdInVm) {
      createdInVm = true;
      wasm.calls().callIn(this, Callback.ON_CONTEXT_CREATE, id, root.id);
    }
  }

  /**
   * Calls {@code proxy_on_done}.
   *
   * @return the plugin's answer; true if not exported or failed
   */
  public boolean onDone() {
    if (wasm.isFailed() || !wasm.calls().has(Callback.ON_DONE)) {
      return true;
    }
    return wasm.calls().callIn(this, Callback.ON_DONE, id) != 0;
  }

  /** Calls {@code proxy_on_log}. */
  public void onLog() {
    if (!wasm.isFailed()) {
      onCreate();
      wasm.calls().callIn(this, Callback.ON_LOG, id);
    }
  }

  /** Stops this context's tick; its VM is going away. */
  void cancelTimers() {
    if (state != null) {
      state.cancelTimers();
    }
  }

  /** Calls {@code proxy_on_delete} if the plugin saw this context, and forgets the context. */
  public void onDelete() {
    if (deleted) {
      return;
    }
    deleted = true;
    if (state != null) {
      state.cancelTick();
    }
    try {
      if (createdInVm && !wasm.isFailed()) {
        wasm.calls().callIn(this, Callback.ON_DELETE, id);
      }
    } finally {
      wasm.contexts().unregister(this);
    }
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private static boolean isResponse(StreamType direction) {
    if (direction != StreamType.REQUEST && direction != StreamType.RESPONSE) {
      throw new IllegalArgumentException(
          "an HTTP stream has a request and a response, not " + direction);
    }
    return direction == StreamType.RESPONSE;
  }

  private static boolean isUpstream(StreamType side) {
    if (side != StreamType.DOWNSTREAM && side != StreamType.UPSTREAM) {
      throw new IllegalArgumentException(
          "a TCP stream has a downstream and an upstream side, not " + side);
    }
    return side == StreamType.UPSTREAM;
  }

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
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   * @param headers the number of headers
   * @param endOfStream whether no body follows
   * @return the status, converted as cpp-host converts it
   */
  public FilterHeadersStatus onHeaders(StreamType direction, int headers, boolean endOfStream) {
    boolean response = isResponse(direction);
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
          wasm.calls()
              .callForStatus(
                  this,
                  response ? Callback.ON_RESPONSE_HEADERS_0_1_0 : Callback.ON_REQUEST_HEADERS_0_1_0,
                  id,
                  headers);
    } else {
      r =
          wasm.calls()
              .callForStatus(
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
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   * @param length the number of bytes buffered
   * @param endOfStream whether this is the last chunk
   * @return the status, converted as cpp-host converts it
   */
  public FilterDataStatus onBody(StreamType direction, int length, boolean endOfStream) {
    boolean response = isResponse(direction);
    if (!requestStarted) {
      return FilterDataStatus.CONTINUE;
    }
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return failOpen() ? FilterDataStatus.CONTINUE : FilterDataStatus.STOP_ITERATION_NO_BUFFER;
    }
    onCreate();
    long r =
        wasm.calls()
            .callForStatus(
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
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   * @param trailers the number of trailers
   * @return the status, converted as cpp-host converts it
   */
  public FilterTrailersStatus onTrailers(StreamType direction, int trailers) {
    boolean response = isResponse(direction);
    if (!requestStarted) {
      return FilterTrailersStatus.CONTINUE;
    }
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return failOpen() ? FilterTrailersStatus.CONTINUE : FilterTrailersStatus.STOP_ITERATION;
    }
    onCreate();
    long r =
        wasm.calls()
            .callForStatus(
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
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   * @param elements the number of metadata elements
   */
  public void onMetadata(StreamType direction, int elements) {
    boolean response = isResponse(direction);
    if (!requestStarted) {
      return;
    }
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return;
    }
    onCreate();
    wasm.calls()
        .callIn(
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
    long r = wasm.calls().callIn(this, cb, args);
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
   * @param side {@link StreamType#DOWNSTREAM} or {@link StreamType#UPSTREAM}
   * @param length the bytes buffered
   * @param endOfStream whether the peer closed its side
   * @return the status
   */
  public FilterStatus onData(StreamType side, int length, boolean endOfStream) {
    boolean upstream = isUpstream(side);
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
   * @param side {@link StreamType#DOWNSTREAM} or {@link StreamType#UPSTREAM}
   * @param peer who closed it
   */
  public void onConnectionClose(StreamType side, PeerType peer) {
    boolean upstream = isUpstream(side);
    // Envoy's Context::onEvent: nothing for a connection the plugin never saw
    if (!wasm.isFailed() && createdInVm) {
      wasm.calls()
          .callIn(
              this,
              upstream
                  ? Callback.ON_UPSTREAM_CONNECTION_CLOSE
                  : Callback.ON_DOWNSTREAM_CONNECTION_CLOSE,
              id,
              peer.code());
    }
  }
}

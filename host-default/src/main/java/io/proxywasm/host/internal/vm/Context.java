package io.proxywasm.host.internal.vm;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.spi.BufferType;
import io.proxywasm.spi.Callback;
import io.proxywasm.spi.HeaderMapType;
import java.util.Map;

/**
 * A proxy-wasm context: the VM context (id 0), a root context (one per plugin per VM) or a stream
 * context (one per HTTP stream or TCP connection): its id, plugin and stream, and its lifecycle
 * from {@code proxy_on_context_create} to {@code proxy_on_delete}. What only a root keeps is its
 * {@link RootState}; the callbacks only a stream receives are {@link StreamCallbacks}, which keep
 * what they remember of a stream in two flags here (a stream is opened on every request, so its
 * context is one object).
 */
public final class Context {
  private final WasmBase wasm;

  /**
   * The id: taken when the context is made; changed only by {@link #join} in the rare case that a
   * stream's id came round to a live context's.
   */
  private int id;

  private final Context root;
  private final LoadedPlugin plugin;
  private final StreamRole stream;

  /** The root's own state; null for a stream context. */
  private final RootState state;

  private boolean createdInVm;

  /**
   * Where this context is with its VM's table: {@link #OPENED} (a stream that no entry joined yet),
   * {@link #JOINED} (a root from the start, a stream from its first entry), {@link #DELETED}. One
   * byte rather than two flags: a stream is opened on every request, and a fifth flag would grow
   * the object by 8 bytes.
   */
  private byte table;

  private static final byte OPENED = 0;
  private static final byte JOINED = 1;
  private static final byte DELETED = 2;

  /** Whether the plugin saw the stream's request headers; {@link StreamCallbacks}' own. */
  private boolean requestStarted;

  /** Whether the fail policy failed the stream already; {@link StreamCallbacks}' own. */
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
    c.table = JOINED;
    return c;
  }

  /**
   * Opens a stream context under a root context, without entering the VM: the context takes the
   * VM's next id now (as Envoy's filter takes its context id when the stream opens), joins the VM's
   * table at the stream's first entry ({@link #join}), and the plugin sees it on the first
   * callback. A stream that never enters leaves its id used and nothing in the VM.
   *
   * @param root the plugin's root context
   * @param stream the stream it serves
   * @return the context
   */
  public static Context open(Context root, StreamRole stream) {
    WasmBase wasm = root.wasm;
    return new Context(wasm, wasm.contexts().reserveId(), root, root.plugin, stream);
  }

  /**
   * Puts an opened stream context in its VM's table, once: what a stream's first entry does before
   * its callback ({@link WasmBase#enterStream}). Should its id have come round to a live context's
   * (after 2<sup>31</sup> ids in this VM), it takes the next free one instead, as cpp-host's
   * allocator skips live ids. Inside the VM.
   */
  void join() {
    if (table != OPENED) {
      return;
    }
    wasm.checkEntered();
    ContextTable contexts = wasm.contexts();
    if (contexts.contains(id)) {
      id = contexts.allocateId();
    }
    contexts.register(this);
    table = JOINED;
  }

  /**
   * Whether a stream's entry put this context in its VM's table ({@link #join}); a root's is from
   * the start. A stream context that never joined has nothing to end in the VM.
   *
   * @return true once in the table, also after {@link #onDelete}
   */
  public boolean joined() {
    return table != OPENED;
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

  public StreamRole stream() {
    return stream;
  }

  /** The state of this context's root (its own for a root or the VM context). */
  public RootState rootState() {
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

  boolean requestStarted() {
    return requestStarted;
  }

  void markRequestStarted() {
    requestStarted = true;
  }

  boolean streamFailed() {
    return streamFailed;
  }

  void markStreamFailed() {
    streamFailed = true;
  }

  boolean isDeleted() {
    return table == DELETED;
  }

  // ---- the root's state, as host calls read it through any context of the root -----------------

  public boolean configuring() {
    return root.state.configuring();
  }

  public Map<HeaderMapType, HeaderMap> calloutMaps() {
    return root.state.calloutMaps();
  }

  public Map<BufferType, BodyBuffer> calloutBuffers() {
    return root.state.calloutBuffers();
  }

  public int statusCode() {
    return root.state.statusCode();
  }

  public String statusMessage() {
    return root.state.statusMessage();
  }

  public void setTickPeriod(long millis) {
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
    if (table == DELETED) {
      return;
    }
    boolean inTable = table == JOINED;
    table = DELETED;
    if (state != null) {
      state.cancelTick();
    }
    try {
      if (createdInVm && !wasm.isFailed()) {
        wasm.calls().callIn(this, Callback.ON_DELETE, id);
      }
    } finally {
      if (inTable) {
        wasm.contexts().unregister(this);
      }
    }
  }
}

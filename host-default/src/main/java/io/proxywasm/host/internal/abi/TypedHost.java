package io.proxywasm.host.internal.abi;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.ForeignFunction;
import io.proxywasm.host.GrpcCallRequest;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpCallRequest;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.SharedData;
import io.proxywasm.host.SharedQueues;
import io.proxywasm.host.internal.vm.Context;
import io.proxywasm.host.internal.vm.Keys;
import io.proxywasm.host.internal.vm.Logging;
import io.proxywasm.host.internal.vm.StreamRole;
import io.proxywasm.host.internal.vm.WasmBase;
import io.proxywasm.spi.BufferType;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.HeaderMapType;
import io.proxywasm.spi.HostAbi;
import io.proxywasm.spi.HostCall;
import io.proxywasm.spi.HostResult;
import io.proxywasm.spi.LinearMemory;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.MemoryAccessException;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.SharedDataValue;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.VmCapability;
import io.proxywasm.spi.WasmResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The semantics of every {@code env.proxy_*} host function for one VM, with Java values in place of
 * plugin memory. {@link HostCalls} decodes a wasm module's pointers and calls these; the Null VM
 * calls them directly, so both kinds of plugin see one implementation. Capability restriction is
 * checked here for the Null VM; wasm modules are restricted when their imports are bound.
 */
final class TypedHost implements HostAbi {
  private final WasmBase wasm;
  private final boolean restricted;
  private final MetricTable metrics;

  /** The longest read {@link #readBuffer} keeps a buffer for between host calls. */
  static final int READ_BUFFER_KEPT = 256;

  /** Where a host call reads bytes from the plugin's memory; see {@link #readBuffer}. */
  private byte[] readBuffer = new byte[64];

  /**
   * Creates the host ABI of a VM.
   *
   * @param wasm the VM
   */
  TypedHost(WasmBase wasm) {
    this.wasm = wasm;
    // a wasm module's restricted imports are bound to functions that refuse the call
    this.restricted =
        !wasm.spec().allowedCapabilities().isEmpty()
            && !wasm.spec().provider().capabilities().contains(VmCapability.WASM_BYTECODE);
    this.metrics = new MetricTable(wasm.host().extension());
  }

  /**
   * Returns a buffer of at least {@code size} bytes for bytes a host call reads from the plugin's
   * memory and is done with before it calls into the plugin again (a header name it looks up, a log
   * line or a header value it decodes into a string): the same buffer every time (the VM runs one
   * host call at a time, and a nested one can only start from a call into the plugin, which comes
   * after the use), or a new one for a read over {@value #READ_BUFFER_KEPT} bytes.
   *
   * @param size the bytes needed
   * @return the buffer
   */
  byte[] readBuffer(int size) {
    if (size <= readBuffer.length) {
      return readBuffer;
    }
    byte[] b = new byte[size];
    if (size <= READ_BUFFER_KEPT) {
      readBuffer = b;
    }
    return b;
  }

  /** Whether a plugin of a Java-plugin runtime may not make this host call. */
  private boolean isDenied(HostCall call) {
    return restricted && !wasm.spec().allows(call.abiName());
  }

  private boolean denied(HostCall call) {
    if (isDenied(call)) {
      refused(wasm, call.abiName());
      return true;
    }
    return false;
  }

  /**
   * Logs a call that capability restriction refused, as cpp-host words it.
   *
   * @param wasm the VM
   * @param name the host call
   */
  static void refused(WasmBase wasm, String name) {
    Logging.error(wasm, "Attempted call to restricted proxy-wasm capability: " + name);
  }

  private Context ctx() {
    return wasm.effectiveContext();
  }

  private Context root() {
    return ctx().root();
  }

  // ---- logging and status ---------------------------------------------------------------------

  @Override
  public WasmResult log(LogLevel level, String message) {
    if (denied(HostCall.LOG)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    Logging.log(wasm, ctx(), level, message);
    return WasmResult.OK;
  }

  /**
   * Drops a line below the plugin's level without reading it: checks its range, as cpp-host reads
   * it, and tells the log sink. A plugin denied {@code proxy_log} drops nothing, so that the denial
   * is answered.
   *
   * @param level the line's level
   * @param memory the plugin's memory
   * @param address where the line is
   * @param length its length
   * @return true if the line was dropped; false if it is to be logged
   */
  boolean droppedBelowLevel(LogLevel level, LinearMemory memory, long address, long length) {
    if (isDenied(HostCall.LOG)) {
      return false;
    }
    Context c = ctx();
    LogLevel pluginLevel = Logging.level(c);
    if (level.code() >= pluginLevel.code()) {
      return false;
    }
    MemoryAccessException.checkBounds(address, length, memory.size());
    Logging.dropped(wasm, c, level, pluginLevel);
    return true;
  }

  @Override
  public LogLevel logLevel() {
    return Logging.level(ctx());
  }

  @Override
  public Map.Entry<Integer, String> status() {
    Context root = root();
    return Map.entry(root.statusCode(), root.statusMessage());
  }

  // ---- properties -----------------------------------------------------------------------------

  @Override
  public Optional<byte[]> property(List<String> path) {
    if (denied(HostCall.GET_PROPERTY)) {
      return Optional.empty();
    }
    Context c = ctx();
    if (path.size() == 1 && c.plugin() != null) {
      switch (path.get(0)) {
        case "plugin_name":
          return Optional.of(Keys.utf8(c.plugin().info().name()));
        case "plugin_root_id":
          return Optional.of(Keys.utf8(c.plugin().info().rootId()));
        case "plugin_vm_id":
          return Optional.of(Keys.utf8(c.plugin().info().vmId()));
        default:
          break;
      }
    }
    Optional<byte[]> own = c.stream().property(path);
    return own.isPresent() ? own : wasm.host().properties().get(path);
  }

  /**
   * Sets a property on the stream of the effective context, for the rest of the stream (Envoy's
   * {@code Context::setProperty} keeps it as filter state); a context with no stream has nowhere to
   * keep it and gets {@code NotFound}.
   */
  @Override
  public WasmResult setProperty(List<String> path, byte[] value) {
    if (denied(HostCall.SET_PROPERTY)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    return ctx().stream().setProperty(path, value);
  }

  // ---- streams --------------------------------------------------------------------------------

  @Override
  public WasmResult continueStream(StreamType type) {
    if (denied(HostCall.CONTINUE_STREAM)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    if (type == StreamType.UPSTREAM) {
      return WasmResult.UNIMPLEMENTED; // Envoy's Context::continueStream
    }
    // The maps of the continued direction are gone at once; the embedder resumes after the call.
    StreamRole stream = ctx().stream();
    stream.releaseMaps(type);
    wasm.afterCall(() -> stream.continueStream(type));
    return WasmResult.OK;
  }

  @Override
  public WasmResult closeStream(StreamType type) {
    if (denied(HostCall.CLOSE_STREAM)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    StreamRole stream = ctx().stream();
    wasm.afterCall(() -> stream.closeStream(type));
    return WasmResult.OK;
  }

  @Override
  public WasmResult sendLocalResponse(
      int statusCode, String details, byte[] body, List<Header> headers, int grpcStatus) {
    if (denied(HostCall.SEND_LOCAL_RESPONSE)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    LocalResponse response = localResponse(statusCode, details, body, headers, grpcStatus);
    Context c = ctx();
    wasm.afterCall(() -> c.stream().sendLocalResponse(response));
    wasm.stopNextIteration();
    return WasmResult.OK;
  }

  /**
   * Builds a local reply as Envoy's {@code sendLocalReply} sends it: header names in lower case,
   * white space in the details replaced with {@code _}, and a gRPC status outside 0..16 dropped.
   */
  private static LocalResponse localResponse(
      int statusCode, String details, byte[] body, List<Header> headers, int grpcStatus) {
    HeaderMap lower = HeaderMap.of(headers);
    StringBuilder cleanDetails = new StringBuilder(details.length());
    for (int i = 0; i < details.length(); i++) {
      char ch = details.charAt(i);
      cleanDetails.append(Character.isWhitespace(ch) ? '_' : ch);
    }
    int grpc = grpcStatus >= 0 && grpcStatus <= 16 ? grpcStatus : -1;
    return new LocalResponse(statusCode, body, lower.entries(), grpc, cleanDetails.toString());
  }

  // ---- shared data and queues -----------------------------------------------------------------

  @Override
  public HostResult<SharedDataValue> sharedData(String key) {
    if (denied(HostCall.GET_SHARED_DATA)) {
      return HostResult.failed(WasmResult.INTERNAL_FAILURE);
    }
    Optional<SharedData.Entry> entry = wasm.host().sharedData().get(wasm.spec().vmId(), key);
    return entry.isEmpty()
        ? HostResult.failed(WasmResult.NOT_FOUND)
        : HostResult.ok(new SharedDataValue(entry.get().value(), entry.get().cas()));
  }

  @Override
  public WasmResult setSharedData(String key, byte[] value, int cas) {
    if (denied(HostCall.SET_SHARED_DATA)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    return wasm.host().sharedData().set(wasm.spec().vmId(), key, value, cas);
  }

  @Override
  public HostResult<Integer> registerSharedQueue(String name) {
    if (denied(HostCall.REGISTER_SHARED_QUEUE)) {
      return HostResult.failed(WasmResult.INTERNAL_FAILURE);
    }
    return HostResult.ok(Queues.register(wasm, root(), name));
  }

  @Override
  public HostResult<Integer> resolveSharedQueue(String vmId, String name) {
    if (denied(HostCall.RESOLVE_SHARED_QUEUE)) {
      return HostResult.failed(WasmResult.INTERNAL_FAILURE);
    }
    int token =
        wasm.host().sharedQueues().resolve(vmId.isEmpty() ? wasm.spec().vmId() : vmId, name);
    return token == 0 ? HostResult.failed(WasmResult.NOT_FOUND) : HostResult.ok(token);
  }

  @Override
  public HostResult<byte[]> dequeueSharedQueue(int token) {
    if (denied(HostCall.DEQUEUE_SHARED_QUEUE)) {
      return HostResult.failed(WasmResult.INTERNAL_FAILURE);
    }
    SharedQueues.Item item = wasm.host().sharedQueues().dequeue(token);
    return item.status() == WasmResult.OK
        ? HostResult.ok(item.data())
        : HostResult.failed(item.status());
  }

  @Override
  public WasmResult enqueueSharedQueue(int token, byte[] data) {
    if (denied(HostCall.ENQUEUE_SHARED_QUEUE)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    return wasm.host().sharedQueues().enqueue(token, data);
  }

  // ---- header maps ----------------------------------------------------------------------------

  /**
   * The header map of a type that the plugin may read now, or null (no allocation: a hot path).
   * Stream maps (0 to 3) are there from their callback until it continues, and during {@code
   * proxy_on_log}; callout and gRPC maps (4 to 7) while their callback runs (Envoy's {@code
   * Context::getConstMap}).
   */
  HeaderMap readableMapOrNull(int type) {
    Context c = ctx();
    if (type <= 3) {
      return c.stream().readableHeaderMapOrNull(type);
    }
    return c.root().calloutMaps().get(HeaderMapType.fromCode(type).orElseThrow());
  }

  /**
   * The header map of a type that the plugin may change now, or null: only a stream's own maps
   * while their callback runs; callout and gRPC maps are read-only (Envoy's {@code
   * Context::getMap}).
   */
  private HeaderMap writableMapOrNull(HeaderMapType type) {
    return type.code() <= 3 ? ctx().stream().headerMapOrNull(type.code()) : null;
  }

  /**
   * The status of {@code proxy_get_header_map_value} when the map is not there: {@code NotFound}
   * during {@code proxy_on_log}, else {@code BadArgument}.
   */
  WasmResult missingMapStatus() {
    return ctx().stream().inLogPhase() ? WasmResult.NOT_FOUND : WasmResult.BAD_ARGUMENT;
  }

  @Override
  public HostResult<String> headerMapValue(HeaderMapType type, String key) {
    if (denied(HostCall.GET_HEADER_MAP_VALUE)) {
      return HostResult.failed(WasmResult.INTERNAL_FAILURE);
    }
    HeaderMap map = readableMapOrNull(type.code());
    if (map == null) {
      return HostResult.failed(missingMapStatus());
    }
    return valueAt(map, map.indexOf(key));
  }

  /**
   * {@link #headerMapValue(HeaderMapType, String)} for a name given as the plugin's bytes, one char
   * per byte, found without making a string of it (a wasm module's lookup by name), and with no
   * result object: a wasm module reads headers on every request.
   *
   * @param type the map
   * @param name the name's bytes, any case
   * @param length how many of them
   * @return the value ({@code ""} for a missing header on ABI 0.1.0), or null if the lookup failed:
   *     {@link #headerMapValueFailure} then says why
   */
  String headerMapValueOrNull(HeaderMapType type, byte[] name, int length) {
    if (denied(HostCall.GET_HEADER_MAP_VALUE)) {
      return null;
    }
    HeaderMap map = readableMapOrNull(type.code());
    if (map == null) {
      return null;
    }
    int index = Pairs.indexOf(map, name, length);
    if (index >= 0) {
      return map.value(index);
    }
    // ABI 0.1.0 answers a missing header with Ok and an empty value (Envoy)
    return wasm.abi() == io.proxywasm.spi.AbiVersion.V0_1_0 ? "" : null;
  }

  /**
   * Why {@link #headerMapValueOrNull} just answered null for a map type: the capability is
   * restricted, the map is not available now, or the header is missing. Reads state only (the
   * refusal was logged by the lookup).
   *
   * @param type the map looked in
   * @return the status for the plugin
   */
  WasmResult headerMapValueFailure(HeaderMapType type) {
    if (isDenied(HostCall.GET_HEADER_MAP_VALUE)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    if (readableMapOrNull(type.code()) == null) {
      return missingMapStatus();
    }
    return WasmResult.NOT_FOUND;
  }

  /** The value of the entry at an index, or what a missing header answers if it is negative. */
  private HostResult<String> valueAt(HeaderMap map, int index) {
    if (index < 0) {
      // ABI 0.1.0 answers a missing header with Ok and an empty value (Envoy)
      return wasm.abi() == io.proxywasm.spi.AbiVersion.V0_1_0
          ? HostResult.ok("")
          : HostResult.failed(WasmResult.NOT_FOUND);
    }
    return HostResult.ok(map.value(index));
  }

  @Override
  public WasmResult addHeaderMapValue(HeaderMapType type, String key, String value) {
    if (denied(HostCall.ADD_HEADER_MAP_VALUE)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    HeaderMap map = writableMapOrNull(type);
    if (map == null) {
      return WasmResult.BAD_ARGUMENT;
    }
    map.add(key, value);
    return WasmResult.OK;
  }

  @Override
  public WasmResult replaceHeaderMapValue(HeaderMapType type, String key, String value) {
    if (denied(HostCall.REPLACE_HEADER_MAP_VALUE)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    HeaderMap map = writableMapOrNull(type);
    if (map == null) {
      return WasmResult.BAD_ARGUMENT;
    }
    map.set(key, value);
    return WasmResult.OK;
  }

  @Override
  public WasmResult removeHeaderMapValue(HeaderMapType type, String key) {
    if (denied(HostCall.REMOVE_HEADER_MAP_VALUE)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    HeaderMap map = writableMapOrNull(type);
    if (map == null) {
      return WasmResult.BAD_ARGUMENT;
    }
    map.remove(key);
    return WasmResult.OK;
  }

  @Override
  public HostResult<List<Header>> headerMapPairs(HeaderMapType type) {
    if (denied(HostCall.GET_HEADER_MAP_PAIRS)) {
      return HostResult.failed(WasmResult.INTERNAL_FAILURE);
    }
    return HostResult.ok(List.copyOf(headerMapPairsView(type)));
  }

  /**
   * The entries of a map as they are now, not copied (a hot path: a wasm module's pairs are encoded
   * from it straight into its memory). A map that is not there reads as an empty one (Envoy's
   * {@code getHeaderMapPairs}).
   *
   * @param type the map
   * @return its entries, a view valid until the map changes
   */
  List<Header> headerMapPairsView(HeaderMapType type) {
    HeaderMap map = readableMapOrNull(type.code());
    return map == null ? List.of() : map.view();
  }

  /**
   * {@code proxy_get_configuration} of ABI 0.1.0: the plugin configuration while the root context
   * is being configured, the VM configuration otherwise (cpp-host's {@code getConfiguration}). Not
   * on {@link HostAbi}: Java plugins run ABI 0.2.1, which reads configuration buffers.
   *
   * @return the configuration bytes
   */
  byte[] configuration() {
    Context root = root();
    return root.configuring() && root.plugin() != null
        ? root.plugin().config().pluginConfiguration()
        : wasm.spec().vmConfiguration();
  }

  @Override
  public WasmResult setHeaderMapPairs(HeaderMapType type, List<Header> pairs) {
    if (denied(HostCall.SET_HEADER_MAP_PAIRS)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    HeaderMap map = writableMapOrNull(type);
    if (map == null) {
      return WasmResult.BAD_ARGUMENT;
    }
    map.setAll(pairs);
    return WasmResult.OK;
  }

  @Override
  public OptionalLong headerMapSize(HeaderMapType type) {
    if (denied(HostCall.GET_HEADER_MAP_SIZE)) {
      return OptionalLong.empty();
    }
    HeaderMap map = writableMapOrNull(type);
    return map == null ? OptionalLong.empty() : OptionalLong.of(map.byteSize());
  }

  // ---- buffers --------------------------------------------------------------------------------

  /** A buffer and whether the plugin may change it. */
  record BufferRef(BodyBuffer buffer, boolean writable) {}

  /**
   * Returns the buffer of the given type for the effective context.
   *
   * @param type the buffer type code, at most 8
   * @return the buffer, or empty when there is none
   */
  Optional<BufferRef> buffer(int type) {
    Context c = ctx();
    switch (type) {
      case 0:
      case 1:
      case 2:
      case 3:
        StreamRole stream = c.stream();
        return stream.buffer(type).map(b -> new BufferRef(b, stream.bufferWritable(type)));
      case 6:
        return Optional.of(new BufferRef(new BodyBuffer(wasm.spec().vmConfiguration()), false));
      case 7:
        return c.root().configuring()
            ? Optional.of(
                new BufferRef(
                    new BodyBuffer(c.root().plugin().config().pluginConfiguration()), false))
            : Optional.empty();
      case 5:
        // The gRPC receive buffer reads as empty outside its callback (Envoy).
        BodyBuffer grpc = c.root().calloutBuffers().get(BufferType.GRPC_RECEIVE_BUFFER);
        return Optional.of(new BufferRef(grpc == null ? EMPTY : grpc, false));
      default:
        return Optional.ofNullable(
                c.root().calloutBuffers().get(BufferType.fromCode(type).orElseThrow()))
            .map(b -> new BufferRef(b, false));
    }
  }

  private static final BodyBuffer EMPTY = new BodyBuffer(new byte[0]);

  @Override
  public OptionalLong bufferLength(BufferType type) {
    if (denied(HostCall.GET_BUFFER_STATUS)) {
      return OptionalLong.empty();
    }
    Optional<BufferRef> b = buffer(type.code());
    return b.isEmpty() ? OptionalLong.empty() : OptionalLong.of(b.get().buffer().length());
  }

  @Override
  public HostResult<byte[]> bufferBytes(BufferType type, long start, long length) {
    if (denied(HostCall.GET_BUFFER_BYTES)) {
      return HostResult.failed(WasmResult.INTERNAL_FAILURE);
    }
    Optional<BufferRef> b = buffer(type.code());
    return b.isEmpty()
        ? HostResult.failed(WasmResult.NOT_FOUND)
        : HostResult.ok(b.get().buffer().slice(start, length));
  }

  @Override
  public WasmResult setBufferBytes(BufferType type, long start, long length, byte[] data) {
    if (denied(HostCall.SET_BUFFER_BYTES)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    Optional<BufferRef> b = buffer(type.code());
    if (b.isEmpty()) {
      return WasmResult.NOT_FOUND;
    }
    return b.get().writable()
        ? b.get().buffer().replace(start, length, data)
        : WasmResult.BAD_ARGUMENT;
  }

  // ---- callouts -------------------------------------------------------------------------------

  @Override
  public HostResult<Integer> httpCall(
      String upstream, List<Header> headers, byte[] body, List<Header> trailers, Duration timeout) {
    if (denied(HostCall.HTTP_CALL)) {
      return HostResult.failed(WasmResult.INTERNAL_FAILURE);
    }
    Context root = root();
    int[] token = new int[1];
    WasmResult r =
        Callouts.httpCall(
            root,
            new HttpCallRequest(upstream, headers, body, trailers, timeout, Logging.info(root)),
            token);
    return r == WasmResult.OK ? HostResult.ok(token[0]) : HostResult.failed(r);
  }

  @Override
  public HostResult<Integer> grpcCall(
      byte[] service,
      String serviceName,
      String method,
      List<Header> metadata,
      byte[] message,
      Duration timeout) {
    if (denied(HostCall.GRPC_CALL)) {
      return HostResult.failed(WasmResult.INTERNAL_FAILURE);
    }
    return grpc(service, serviceName, method, metadata, message, timeout, false);
  }

  @Override
  public HostResult<Integer> grpcStream(
      byte[] service, String serviceName, String method, List<Header> metadata) {
    if (denied(HostCall.GRPC_STREAM)) {
      return HostResult.failed(WasmResult.INTERNAL_FAILURE);
    }
    return grpc(service, serviceName, method, metadata, new byte[0], Duration.ZERO, true);
  }

  private HostResult<Integer> grpc(
      byte[] service,
      String serviceName,
      String method,
      List<Header> metadata,
      byte[] message,
      Duration timeout,
      boolean streaming) {
    Context root = root();
    int[] token = new int[1];
    WasmResult r =
        GrpcCallouts.open(
            root,
            new GrpcCallRequest(
                service,
                serviceName,
                method,
                metadata,
                message,
                timeout,
                streaming,
                Logging.info(root)),
            token);
    return r == WasmResult.OK ? HostResult.ok(token[0]) : HostResult.failed(r);
  }

  @Override
  public WasmResult grpcSend(int token, byte[] message, boolean endOfStream) {
    if (denied(HostCall.GRPC_SEND)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    return GrpcCallouts.send(root(), token, message, endOfStream);
  }

  @Override
  public WasmResult grpcCancel(int token) {
    if (denied(HostCall.GRPC_CANCEL)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    return GrpcCallouts.cancel(root(), token);
  }

  @Override
  public WasmResult grpcClose(int token) {
    if (denied(HostCall.GRPC_CLOSE)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    return GrpcCallouts.close(root(), token);
  }

  // ---- timers, time, metrics ------------------------------------------------------------------

  @Override
  public WasmResult setTickPeriod(Duration period) {
    if (denied(HostCall.SET_TICK_PERIOD)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    root().setTickPeriod(period.toMillis());
    return WasmResult.OK;
  }

  @Override
  public long currentTimeNanos() {
    return wasm.host().clock().realtimeNanos();
  }

  @Override
  public HostResult<Integer> defineMetric(MetricType type, String name) {
    if (denied(HostCall.DEFINE_METRIC)) {
      return HostResult.failed(WasmResult.INTERNAL_FAILURE);
    }
    MetricTable.Definition d = metrics.define(type, name, Logging.info(ctx()));
    return d.status() == WasmResult.OK ? HostResult.ok(d.id()) : HostResult.failed(d.status());
  }

  @Override
  public WasmResult incrementMetric(int id, long offset) {
    if (denied(HostCall.INCREMENT_METRIC)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    return metrics.increment(id, offset);
  }

  @Override
  public WasmResult recordMetric(int id, long value) {
    if (denied(HostCall.RECORD_METRIC)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    return metrics.record(id, value);
  }

  @Override
  public HostResult<Long> metric(int id) {
    if (denied(HostCall.GET_METRIC)) {
      return HostResult.failed(WasmResult.INTERNAL_FAILURE);
    }
    MetricTable.Reading reading = metrics.get(id);
    return reading.status() == WasmResult.OK
        ? HostResult.ok(reading.value())
        : HostResult.failed(reading.status());
  }

  // ---- contexts and foreign functions ---------------------------------------------------------

  @Override
  public WasmResult setEffectiveContext(int contextId) {
    if (denied(HostCall.SET_EFFECTIVE_CONTEXT)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    return wasm.setEffectiveContext(contextId) ? WasmResult.OK : WasmResult.BAD_ARGUMENT;
  }

  @Override
  public WasmResult done() {
    if (denied(HostCall.DONE)) {
      return WasmResult.INTERNAL_FAILURE;
    }
    return wasm.done(ctx()) ? WasmResult.OK : WasmResult.NOT_FOUND;
  }

  @Override
  public HostResult<byte[]> callForeignFunction(String name, byte[] arguments) {
    if (denied(HostCall.CALL_FOREIGN_FUNCTION)) {
      return HostResult.failed(WasmResult.INTERNAL_FAILURE);
    }
    ForeignFunction f = wasm.host().foreignFunctions().get(name);
    if (f == null) {
      return HostResult.failed(WasmResult.NOT_FOUND);
    }
    byte[] result;
    try {
      Context c = ctx();
      result = f.call(Logging.info(c), c.stream().listener(), arguments);
    } catch (ForeignFunction.Failure e) {
      return HostResult.failed(e.result());
    } catch (RuntimeException e) {
      Logging.error(wasm, "foreign function " + name + " failed: " + e);
      return HostResult.failed(WasmResult.INTERNAL_FAILURE);
    }
    return HostResult.ok(result == null ? new byte[0] : result);
  }
}

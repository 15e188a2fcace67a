package io.proxywasm.host.internal.abi;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.internal.vm.Keys;
import io.proxywasm.host.internal.vm.WasmBase;
import io.proxywasm.host.internal.wasi.Wasi;
import io.proxywasm.host.internal.wasi.WasiBridge;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.BufferType;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.HeaderMapType;
import io.proxywasm.spi.HostCall;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.HostResult;
import io.proxywasm.spi.LinearMemory;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.MemoryAccessException;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.SharedDataValue;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.WasmResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@code env.proxy_*} host functions, exactly as proxy-wasm-cpp-host registers them for each
 * ABI version, plus the WASI functions and the Emscripten helpers. Every pointer from the plugin is
 * bounds-checked: a bad one returns {@link WasmResult#INVALID_MEMORY_ACCESS}, never an exception.
 */
final class HostCalls {
  private static final int MAX_HEADER_MAP_TYPE = 7;
  private static final int MAX_BUFFER_TYPE = 8;
  private static final int MAX_STREAM_TYPE = 3;

  private HostCalls() {}

  /** The body of a host function returning a status code. */
  @FunctionalInterface
  private interface Impl {
    WasmResult call(WasmBase wasm, LinearMemory vm, long[] a);
  }

  /** How one host call of the catalogue is bound to a VM. */
  private record Def(HostCall call, Function<WasmBase, HostFunction.Body> binder) {}

  /**
   * Returns every host function a module of the VM's ABI version may import.
   *
   * @param wasm the VM
   * @return the functions to register
   */
  static List<HostFunction> functions(WasmBase wasm) {
    Optional<LinearMemory> memory = wasm.vm().memory();
    if (memory.isEmpty()) {
      return List.of(); // a runtime without linear memory imports nothing: it takes the HostAbi
    }
    List<HostFunction> out = new ArrayList<>();
    for (HostCall call : HostCall.of(wasm.abi())) {
      String name = call.abiName();
      HostFunction.Body body =
          call.restrictable() && !wasm.spec().allows(name)
              ? restricted(wasm, name)
              : IMPLS.get(call).apply(wasm);
      out.add(new HostFunction(HostCall.MODULE, name, call.type(), body));
    }
    out.addAll(Wasi.functions(memory.get(), new WasiBridge(wasm), wasm.spec()::allows));
    List<HostFunction> guarded = new ArrayList<>(out.size());
    for (HostFunction f : out) {
      guarded.add(new HostFunction(f.module(), f.name(), f.type(), guard(wasm, f)));
    }
    return guarded;
  }

  /** Traps a call the host does not allow now (while the module starts, inside its allocator). */
  private static HostFunction.Body guard(WasmBase wasm, HostFunction f) {
    String module = f.module();
    String name = f.name();
    HostFunction.Body body = f.body();
    return a -> {
      wasm.checkAllowed(module, name);
      return body.call(a);
    };
  }

  /**
   * Returns the signature of every function a module of the given ABI version may import.
   *
   * @param abi the version
   * @return the imports offered, {@code env} first, then both WASI modules
   */
  static List<FunctionImport> offered(AbiVersion abi) {
    List<FunctionImport> out = new ArrayList<>();
    for (HostCall call : HostCall.of(abi)) {
      out.add(call.asImport());
    }
    for (String module : Wasi.MODULES) {
      for (String name : Wasi.NAMES) {
        out.add(new FunctionImport(module, name, Wasi.typeOf(name)));
      }
    }
    return out;
  }

  /**
   * Returns the host calls this table implements, for the test that checks it against the
   * catalogue.
   *
   * @return the calls
   */
  static Set<HostCall> implemented() {
    return IMPLS.keySet();
  }

  private static HostFunction.Body statusOf(WasmBase wasm, Impl impl) {
    LinearMemory vm = wasm.vm().memory().orElseThrow();
    return a -> {
      WasmResult r;
      try {
        r = impl.call(wasm, vm, a);
      } catch (MemoryAccessException e) {
        r = WasmResult.INVALID_MEMORY_ACCESS;
      }
      return RESULTS[r.ordinal()];
    };
  }

  /** One result array per status, shared: runtimes only read what a host function returns. */
  private static final long[][] RESULTS = results();

  private static long[][] results() {
    WasmResult[] all = WasmResult.values();
    long[][] out = new long[all.length][];
    for (WasmResult r : all) {
      out[r.ordinal()] = new long[] {r.code()};
    }
    return out;
  }

  private static HostFunction.Body restricted(WasmBase wasm, String name) {
    return a -> {
      TypedHost.refused(wasm, name);
      return RESULTS[WasmResult.INTERNAL_FAILURE.ordinal()];
    };
  }

  // ---- argument helpers -----------------------------------------------------------------------

  private static long ptr(long arg) {
    return arg & 0xFFFF_FFFFL;
  }

  private static final byte[] NO_BYTES = new byte[0];

  private static byte[] bytes(LinearMemory vm, long ptrArg, long sizeArg) {
    long address = ptr(ptrArg);
    long size = ptr(sizeArg);
    MemoryAccessException.checkBounds(address, size, vm.size());
    return vm.read(address, (int) size);
  }

  /** Text: log messages, details, names of services and queues, vm ids (UTF-8). */
  private static String string(WasmBase w, LinearMemory vm, long ptrArg, long sizeArg) {
    return decode(w, vm, ptrArg, sizeArg, true);
  }

  /**
   * Bytes carried as a string of one char per byte: header names and values and shared-data keys,
   * so that every byte comes back to the plugin as it was (see {@link HeaderMap}).
   */
  private static String byteString(WasmBase w, LinearMemory vm, long ptrArg, long sizeArg) {
    return decode(w, vm, ptrArg, sizeArg, false);
  }

  /**
   * Reads bytes of the plugin's memory into a string: through the VM's read buffer ({@link
   * TypedHost#readBuffer}) when they fit it, so that the string is the only copy made; a longer
   * read gets an array of its own.
   *
   * @param text true for UTF-8 text, false for one char per byte
   */
  private static String decode(
      WasmBase w, LinearMemory vm, long ptrArg, long sizeArg, boolean text) {
    long address = ptr(ptrArg);
    long size = ptr(sizeArg);
    MemoryAccessException.checkBounds(address, size, vm.size());
    int length = (int) size;
    byte[] b;
    if (length <= TypedHost.READ_BUFFER_KEPT) {
      b = t(w).readBuffer(length);
      vm.read(address, b, 0, length);
    } else {
      b = vm.read(address, length);
    }
    return text
        ? new String(b, 0, length, StandardCharsets.UTF_8)
        : Pairs.bytesToString(b, 0, length);
  }

  private static WasmResult copyOut(WasmBase wasm, byte[] data, long ptrPtr, long sizePtr) {
    return wasm.copyOut(data, ptr(ptrPtr), ptr(sizePtr))
        ? WasmResult.OK
        : WasmResult.INVALID_MEMORY_ACCESS;
  }

  private static TypedHost t(WasmBase wasm) {
    return (TypedHost) wasm.hostAbi();
  }

  private static HeaderMapType mapType(long type) {
    return HeaderMapType.fromCode(type).orElseThrow();
  }

  private static BufferType bufferType(long type) {
    return BufferType.fromCode(type).orElseThrow();
  }

  private static boolean badMapType(long type) {
    return ptr(type) > MAX_HEADER_MAP_TYPE;
  }

  private static boolean badBufferType(long type) {
    return ptr(type) > MAX_BUFFER_TYPE;
  }

  /** Writes a token to the plugin when the result is {@code OK}, and returns its status. */
  private static WasmResult token(LinearMemory vm, HostResult<Integer> r, long tokenPtr) {
    if (r.isOk()) {
      vm.writeInt(ptr(tokenPtr), r.value());
    }
    return r.status();
  }

  /** Copies the value of a result out to the plugin when it is {@code OK}. */
  private static WasmResult copyOut(WasmBase w, HostResult<byte[]> r, long ptrPtr, long sizePtr) {
    return r.isOk() ? copyOut(w, r.value(), ptrPtr, sizePtr) : r.status();
  }

  /** proxy_grpc_call (12 arguments) and proxy_grpc_stream (9 arguments). */
  private static WasmResult grpc(WasmBase w, LinearMemory vm, long[] a, boolean streaming) {
    byte[] service = bytes(vm, a[0], a[1]);
    String serviceName = string(w, vm, a[2], a[3]);
    String method = string(w, vm, a[4], a[5]);
    List<Header> metadata = Pairs.decode(bytes(vm, a[6], a[7]));
    long tokenPtr = streaming ? a[8] : a[11];
    if (streaming) {
      vm.writeInt(ptr(tokenPtr), 0);
      return token(vm, t(w).grpcStream(service, serviceName, method, metadata), tokenPtr);
    }
    byte[] message = bytes(vm, a[8], a[9]);
    vm.writeInt(ptr(tokenPtr), 0);
    return token(
        vm,
        t(w).grpcCall(
                service, serviceName, method, metadata, message, Duration.ofMillis(ptr(a[10]))),
        tokenPtr);
  }

  private static Def impl(HostCall call, Impl impl) {
    return new Def(call, wasm -> statusOf(wasm, impl));
  }

  /** An Emscripten helper, which answers no status. */
  private static Def helper(HostCall call, HostFunction.Body body) {
    return new Def(call, wasm -> body);
  }

  /** Every host call of the catalogue, each exactly once. */
  private static Map<HostCall, Function<WasmBase, HostFunction.Body>> table(Def... defs) {
    Map<HostCall, Function<WasmBase, HostFunction.Body>> out = new EnumMap<>(HostCall.class);
    for (Def d : defs) {
      if (out.put(d.call(), d.binder()) != null) {
        throw new IllegalStateException("two bodies for " + d.call().abiName());
      }
    }
    Set<HostCall> missing = EnumSet.complementOf(EnumSet.copyOf(out.keySet()));
    if (!missing.isEmpty()) {
      throw new IllegalStateException("no body for " + missing);
    }
    return out;
  }

  // ---- the table ------------------------------------------------------------------------------

  private static final Map<HostCall, Function<WasmBase, HostFunction.Body>> IMPLS =
      table(
          impl(
              HostCall.LOG,
              (w, vm, a) -> {
                Optional<LogLevel> level = LogLevel.fromCode(ptr(a[0]));
                if (level.isEmpty()) {
                  return WasmResult.BAD_ARGUMENT;
                }
                if (t(w).droppedBelowLevel(level.get(), vm, ptr(a[1]), ptr(a[2]))) {
                  return WasmResult.OK; // range checked, not decoded
                }
                return t(w).log(level.get(), string(w, vm, a[1], a[2]));
              }),
          impl(
              HostCall.GET_LOG_LEVEL,
              (w, vm, a) -> {
                vm.writeInt(ptr(a[0]), t(w).logLevel().code());
                return WasmResult.OK;
              }),
          impl(
              HostCall.GET_STATUS,
              (w, vm, a) -> {
                Map.Entry<Integer, String> status = t(w).status();
                vm.writeInt(ptr(a[0]), status.getKey());
                return copyOut(w, Keys.utf8(status.getValue()), a[1], a[2]);
              }),
          impl(
              HostCall.GET_CONFIGURATION,
              (w, vm, a) -> copyOut(w, t(w).configuration(), a[0], a[1])),
          impl(
              HostCall.SET_PROPERTY,
              (w, vm, a) ->
                  t(w).setProperty(Pairs.splitPath(bytes(vm, a[0], a[1])), bytes(vm, a[2], a[3]))),
          impl(
              HostCall.GET_PROPERTY,
              (w, vm, a) -> {
                Optional<byte[]> value = t(w).property(Pairs.splitPath(bytes(vm, a[0], a[1])));
                return value.isEmpty() ? WasmResult.NOT_FOUND : copyOut(w, value.get(), a[2], a[3]);
              }),
          impl(HostCall.CONTINUE_REQUEST, (w, vm, a) -> t(w).continueStream(StreamType.REQUEST)),
          impl(HostCall.CONTINUE_RESPONSE, (w, vm, a) -> t(w).continueStream(StreamType.RESPONSE)),
          impl(HostCall.CLEAR_ROUTE_CACHE, (w, vm, a) -> WasmResult.OK),
          impl(
              HostCall.CONTINUE_STREAM,
              (w, vm, a) ->
                  ptr(a[0]) > MAX_STREAM_TYPE
                      ? WasmResult.BAD_ARGUMENT
                      : t(w).continueStream(StreamType.fromCode(a[0]).orElseThrow())),
          impl(
              HostCall.CLOSE_STREAM,
              (w, vm, a) ->
                  ptr(a[0]) > MAX_STREAM_TYPE
                      ? WasmResult.BAD_ARGUMENT
                      : t(w).closeStream(StreamType.fromCode(a[0]).orElseThrow())),
          impl(
              HostCall.SEND_LOCAL_RESPONSE,
              (w, vm, a) -> {
                String details = string(w, vm, a[1], a[2]);
                byte[] body = bytes(vm, a[3], a[4]);
                List<Header> headers = Pairs.decode(bytes(vm, a[5], a[6]));
                return t(w).sendLocalResponse((int) a[0], details, body, headers, (int) a[7]);
              }),
          impl(
              HostCall.GET_SHARED_DATA,
              (w, vm, a) -> {
                HostResult<SharedDataValue> entry = t(w).sharedData(byteString(w, vm, a[0], a[1]));
                if (!entry.isOk()) {
                  return entry.status();
                }
                WasmResult r = copyOut(w, entry.value().value(), a[2], a[3]);
                if (r == WasmResult.OK) {
                  vm.writeInt(ptr(a[4]), entry.value().cas());
                }
                return r;
              }),
          impl(
              HostCall.SET_SHARED_DATA,
              (w, vm, a) ->
                  t(w).setSharedData(
                          byteString(w, vm, a[0], a[1]), bytes(vm, a[2], a[3]), (int) a[4])),
          impl(
              HostCall.REGISTER_SHARED_QUEUE,
              (w, vm, a) -> token(vm, t(w).registerSharedQueue(string(w, vm, a[0], a[1])), a[2])),
          impl(
              HostCall.RESOLVE_SHARED_QUEUE,
              (w, vm, a) -> {
                String vmId = string(w, vm, a[0], a[1]);
                String name = string(w, vm, a[2], a[3]);
                return token(vm, t(w).resolveSharedQueue(vmId, name), a[4]);
              }),
          impl(
              HostCall.DEQUEUE_SHARED_QUEUE,
              (w, vm, a) -> copyOut(w, t(w).dequeueSharedQueue((int) a[0]), a[1], a[2])),
          impl(
              HostCall.ENQUEUE_SHARED_QUEUE,
              (w, vm, a) -> t(w).enqueueSharedQueue((int) a[0], bytes(vm, a[1], a[2]))),
          impl(
              HostCall.GET_HEADER_MAP_VALUE,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                // the name is looked up as the plugin's bytes: no array or string per call
                long address = ptr(a[1]);
                long size = ptr(a[2]);
                MemoryAccessException.checkBounds(address, size, vm.size());
                byte[] name = t(w).readBuffer((int) size);
                vm.read(address, name, 0, (int) size);
                String value = t(w).headerMapValueOrNull(mapType(a[0]), name, (int) size);
                if (value == null) {
                  return t(w).headerMapValueFailure(mapType(a[0]));
                }
                if (value.isEmpty()) {
                  return copyOut(w, NO_BYTES, a[3], a[4]);
                }
                return w.copyOutEncoded(
                        value,
                        Pairs.byteLength(value),
                        (v, target) -> Pairs.putBytes(v, target, 0),
                        ptr(a[3]),
                        ptr(a[4]))
                    ? WasmResult.OK
                    : WasmResult.INVALID_MEMORY_ACCESS;
              }),
          impl(
              HostCall.ADD_HEADER_MAP_VALUE,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                String key = byteString(w, vm, a[1], a[2]);
                String value = byteString(w, vm, a[3], a[4]);
                return t(w).addHeaderMapValue(mapType(a[0]), key, value);
              }),
          impl(
              HostCall.REPLACE_HEADER_MAP_VALUE,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                String key = byteString(w, vm, a[1], a[2]);
                String value = byteString(w, vm, a[3], a[4]);
                return t(w).replaceHeaderMapValue(mapType(a[0]), key, value);
              }),
          impl(
              HostCall.REMOVE_HEADER_MAP_VALUE,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                return t(w).removeHeaderMapValue(mapType(a[0]), byteString(w, vm, a[1], a[2]));
              }),
          impl(
              HostCall.GET_HEADER_MAP_PAIRS,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                List<Header> pairs = t(w).headerMapPairsView(mapType(a[0]));
                if (pairs.isEmpty()) {
                  return copyOut(w, NO_BYTES, a[1], a[2]);
                }
                // Serialised straight into the VM's scratch buffer, then once into linear memory.
                return w.copyOutEncoded(
                        pairs,
                        Pairs.encodedSize(pairs),
                        (p, target) -> Pairs.encodeInto(p, target, 0),
                        ptr(a[1]),
                        ptr(a[2]))
                    ? WasmResult.OK
                    : WasmResult.INVALID_MEMORY_ACCESS;
              }),
          impl(
              HostCall.SET_HEADER_MAP_PAIRS,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                List<Header> pairs = Pairs.decode(bytes(vm, a[1], a[2]));
                return t(w).setHeaderMapPairs(mapType(a[0]), pairs);
              }),
          impl(
              HostCall.GET_HEADER_MAP_SIZE,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                OptionalLong size = t(w).headerMapSize(mapType(a[0]));
                if (size.isEmpty()) {
                  return WasmResult.BAD_ARGUMENT; // not available, or read-only (Envoy's getMap)
                }
                vm.writeWord(ptr(a[1]), size.getAsLong());
                return WasmResult.OK;
              }),
          impl(
              HostCall.GET_BUFFER_STATUS,
              (w, vm, a) -> {
                if (badBufferType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                OptionalLong length = t(w).bufferLength(bufferType(a[0]));
                if (length.isEmpty()) {
                  return WasmResult.NOT_FOUND;
                }
                vm.writeWord(ptr(a[1]), length.getAsLong());
                vm.writeInt(ptr(a[2]), 0);
                return WasmResult.OK;
              }),
          impl(
              HostCall.GET_BUFFER_BYTES,
              (w, vm, a) ->
                  badBufferType(a[0])
                      ? WasmResult.BAD_ARGUMENT
                      : copyOut(
                          w, t(w).bufferBytes(bufferType(a[0]), ptr(a[1]), ptr(a[2])), a[3], a[4])),
          impl(
              HostCall.SET_BUFFER_BYTES,
              (w, vm, a) -> {
                if (badBufferType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                // cpp-host looks the buffer up before it reads the plugin's bytes
                if (t(w).buffer((int) a[0]).isEmpty()) {
                  return WasmResult.NOT_FOUND;
                }
                byte[] data = bytes(vm, a[3], a[4]);
                return t(w).setBufferBytes(bufferType(a[0]), ptr(a[1]), ptr(a[2]), data);
              }),
          impl(
              HostCall.HTTP_CALL,
              (w, vm, a) -> {
                String upstream = string(w, vm, a[0], a[1]);
                List<Header> headers = Pairs.decode(bytes(vm, a[2], a[3]));
                byte[] body = bytes(vm, a[4], a[5]);
                List<Header> trailers = Pairs.decode(bytes(vm, a[6], a[7]));
                vm.writeInt(ptr(a[9]), 0);
                return token(
                    vm,
                    t(w).httpCall(upstream, headers, body, trailers, Duration.ofMillis((int) a[8])),
                    a[9]);
              }),
          impl(HostCall.GRPC_CALL, (w, vm, a) -> grpc(w, vm, a, false)),
          impl(HostCall.GRPC_STREAM, (w, vm, a) -> grpc(w, vm, a, true)),
          impl(HostCall.GRPC_CANCEL, (w, vm, a) -> t(w).grpcCancel((int) a[0])),
          impl(HostCall.GRPC_CLOSE, (w, vm, a) -> t(w).grpcClose((int) a[0])),
          impl(
              HostCall.GRPC_SEND,
              (w, vm, a) -> t(w).grpcSend((int) a[0], bytes(vm, a[1], a[2]), a[3] != 0)),
          impl(
              HostCall.SET_TICK_PERIOD,
              (w, vm, a) -> t(w).setTickPeriod(Duration.ofMillis(ptr(a[0])))),
          impl(
              HostCall.GET_CURRENT_TIME,
              (w, vm, a) -> {
                vm.writeLong(ptr(a[0]), t(w).currentTimeNanos());
                return WasmResult.OK;
              }),
          impl(
              HostCall.DEFINE_METRIC,
              (w, vm, a) -> {
                Optional<MetricType> type = MetricType.fromCode(ptr(a[0]));
                if (type.isEmpty()) {
                  return WasmResult.BAD_ARGUMENT;
                }
                return token(vm, t(w).defineMetric(type.get(), string(w, vm, a[1], a[2])), a[3]);
              }),
          impl(HostCall.INCREMENT_METRIC, (w, vm, a) -> t(w).incrementMetric((int) a[0], a[1])),
          impl(HostCall.RECORD_METRIC, (w, vm, a) -> t(w).recordMetric((int) a[0], a[1])),
          impl(
              HostCall.GET_METRIC,
              (w, vm, a) -> {
                HostResult<Long> reading = t(w).metric((int) a[0]);
                if (reading.isOk()) {
                  vm.writeLong(ptr(a[1]), reading.value());
                }
                return reading.status();
              }),
          impl(HostCall.SET_EFFECTIVE_CONTEXT, (w, vm, a) -> t(w).setEffectiveContext((int) a[0])),
          impl(HostCall.DONE, (w, vm, a) -> t(w).done()),
          impl(
              HostCall.CALL_FOREIGN_FUNCTION,
              (w, vm, a) -> {
                String name = string(w, vm, a[0], a[1]);
                byte[] args = bytes(vm, a[2], a[3]);
                return copyOut(w, t(w).callForeignFunction(name, args), a[4], a[5]);
              }),
          helper(HostCall.PTHREAD_EQUAL, a -> new long[] {(int) a[0] == (int) a[1] ? 1 : 0}),
          helper(HostCall.EMSCRIPTEN_NOTIFY_MEMORY_GROWTH, a -> null));
}

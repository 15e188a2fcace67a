package io.proxywasm.host.internal;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.BufferType;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HeaderMapType;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.HostResult;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.MemoryAccessException;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.SharedDataValue;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmResult;
import io.proxywasm.spi.WasmVm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The {@code env.proxy_*} host functions, exactly as proxy-wasm-cpp-host registers them for each
 * ABI version, plus the WASI functions and the Emscripten helpers. Every pointer from the plugin is
 * bounds-checked: a bad one returns {@link WasmResult#INVALID_MEMORY_ACCESS}, never an exception.
 */
final class HostCalls {
  private static final Set<AbiVersion> ALL = EnumSet.allOf(AbiVersion.class);
  private static final Set<AbiVersion> V010 = EnumSet.of(AbiVersion.V0_1_0);
  private static final Set<AbiVersion> V02X = EnumSet.of(AbiVersion.V0_2_0, AbiVersion.V0_2_1);
  private static final Set<AbiVersion> V021 = EnumSet.of(AbiVersion.V0_2_1);
  private static final int MAX_HEADER_MAP_TYPE = 7;
  private static final int MAX_BUFFER_TYPE = 8;
  private static final int MAX_STREAM_TYPE = 3;

  private HostCalls() {}

  /** The body of a host function returning a status code. */
  @FunctionalInterface
  private interface Impl {
    WasmResult call(WasmBase wasm, WasmVm vm, long[] a);
  }

  private record Def(String name, FunctionType type, Set<AbiVersion> versions, Impl impl) {}

  /**
   * Returns every host function a module of the VM's ABI version may import.
   *
   * @param wasm the VM
   * @return the functions to register
   */
  static List<HostFunction> functions(WasmBase wasm) {
    List<HostFunction> out = new ArrayList<>();
    for (Def d : DEFS) {
      if (!d.versions().contains(wasm.abi())) {
        continue;
      }
      out.add(
          new HostFunction(
              "env",
              d.name(),
              d.type(),
              wasm.spec().allows(d.name()) ? bind(wasm, d.impl()) : restricted(wasm, d.name())));
    }
    out.add(
        new HostFunction(
            "env",
            "pthread_equal",
            FunctionType.i32(2, 1),
            a -> new long[] {(int) a[0] == (int) a[1] ? 1 : 0}));
    out.add(
        new HostFunction(
            "env", "emscripten_notify_memory_growth", FunctionType.i32(1, 0), a -> null));
    out.addAll(Wasi.functions(wasm.vm(), new WasiBridge(wasm), wasm.spec()::allows));
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
  static List<io.proxywasm.spi.FunctionImport> offered(AbiVersion abi) {
    List<io.proxywasm.spi.FunctionImport> out = new ArrayList<>();
    for (Def d : DEFS) {
      if (d.versions().contains(abi)) {
        out.add(new io.proxywasm.spi.FunctionImport("env", d.name(), d.type()));
      }
    }
    out.add(new io.proxywasm.spi.FunctionImport("env", "pthread_equal", FunctionType.i32(2, 1)));
    out.add(
        new io.proxywasm.spi.FunctionImport(
            "env", "emscripten_notify_memory_growth", FunctionType.i32(1, 0)));
    for (String module : Wasi.MODULES) {
      for (String name : Wasi.NAMES) {
        out.add(new io.proxywasm.spi.FunctionImport(module, name, Wasi.typeOf(name)));
      }
    }
    return out;
  }

  private static HostFunction.Body bind(WasmBase wasm, Impl impl) {
    WasmVm vm = wasm.vm();
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
      Logging.error(wasm, "Attempted call to restricted proxy-wasm capability: " + name);
      return RESULTS[WasmResult.INTERNAL_FAILURE.ordinal()];
    };
  }

  // ---- argument helpers -----------------------------------------------------------------------

  private static long ptr(long arg) {
    return arg & 0xFFFF_FFFFL;
  }

  private static final byte[] NO_BYTES = new byte[0];

  private static byte[] bytes(WasmVm vm, long ptrArg, long sizeArg) {
    long address = ptr(ptrArg);
    long size = ptr(sizeArg);
    MemoryAccessException.checkBounds(address, size, vm.memorySize());
    return vm.read(address, (int) size);
  }

  /** Text: log messages, details, names of services and queues, vm ids (UTF-8). */
  private static String string(WasmVm vm, long ptrArg, long sizeArg) {
    return new String(bytes(vm, ptrArg, sizeArg), StandardCharsets.UTF_8);
  }

  /**
   * Bytes carried as a string of one char per byte: header names and values and shared-data keys,
   * so that every byte comes back to the plugin as it was (see {@link HeaderMap}).
   */
  private static String byteString(WasmVm vm, long ptrArg, long sizeArg) {
    byte[] b = bytes(vm, ptrArg, sizeArg);
    return Pairs.bytesToString(b, 0, b.length);
  }

  private static WasmResult copyOut(WasmBase wasm, byte[] data, long ptrPtr, long sizePtr) {
    return wasm.copyOut(data, ptr(ptrPtr), ptr(sizePtr))
        ? WasmResult.OK
        : WasmResult.INVALID_MEMORY_ACCESS;
  }

  private static TypedHost t(WasmBase wasm) {
    return wasm.typedHost();
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
  private static WasmResult token(WasmVm vm, HostResult<Integer> r, long tokenPtr) {
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
  private static WasmResult grpc(WasmBase w, WasmVm vm, long[] a, boolean streaming) {
    byte[] service = bytes(vm, a[0], a[1]);
    String serviceName = string(vm, a[2], a[3]);
    String method = string(vm, a[4], a[5]);
    List<Map.Entry<String, String>> metadata = Pairs.decode(bytes(vm, a[6], a[7]));
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

  private static FunctionType withI64(int i32Before, int i32After) {
    List<ValueType> params = new ArrayList<>();
    for (int i = 0; i < i32Before; i++) {
      params.add(ValueType.I32);
    }
    params.add(ValueType.I64);
    for (int i = 0; i < i32After; i++) {
      params.add(ValueType.I32);
    }
    return FunctionType.of(params, List.of(ValueType.I32));
  }

  private static Def def(String name, int params, Set<AbiVersion> versions, Impl impl) {
    return new Def(name, FunctionType.i32(params, 1), versions, impl);
  }

  // ---- the table ------------------------------------------------------------------------------

  private static final List<Def> DEFS =
      List.of(
          def(
              "proxy_log",
              3,
              ALL,
              (w, vm, a) -> {
                Optional<LogLevel> level = LogLevel.fromCode(ptr(a[0]));
                if (level.isEmpty()) {
                  return WasmResult.BAD_ARGUMENT;
                }
                if (!t(w).keeps(level.get())) {
                  // Dropped: the range is still checked, as cpp-host reads it, but not decoded.
                  MemoryAccessException.checkBounds(ptr(a[1]), ptr(a[2]), vm.memorySize());
                  return WasmResult.OK;
                }
                return t(w).log(level.get(), string(vm, a[1], a[2]));
              }),
          def(
              "proxy_get_log_level",
              1,
              V021,
              (w, vm, a) -> {
                vm.writeInt(ptr(a[0]), t(w).logLevel().code());
                return WasmResult.OK;
              }),
          def(
              "proxy_get_status",
              3,
              ALL,
              (w, vm, a) -> {
                Map.Entry<Integer, String> status = t(w).status();
                vm.writeInt(ptr(a[0]), status.getKey());
                return copyOut(w, Keys.utf8(status.getValue()), a[1], a[2]);
              }),
          def(
              "proxy_get_configuration",
              2,
              V010,
              (w, vm, a) -> {
                Context root = w.effectiveContext().root();
                byte[] config =
                    root.configuring() && root.plugin() != null
                        ? root.plugin().config().pluginConfiguration()
                        : w.spec().vmConfiguration();
                return copyOut(w, config, a[0], a[1]);
              }),
          def(
              "proxy_set_property",
              4,
              ALL,
              (w, vm, a) ->
                  t(w).setProperty(Pairs.splitPath(bytes(vm, a[0], a[1])), bytes(vm, a[2], a[3]))),
          def(
              "proxy_get_property",
              4,
              ALL,
              (w, vm, a) -> {
                Optional<byte[]> value = t(w).property(Pairs.splitPath(bytes(vm, a[0], a[1])));
                return value.isEmpty() ? WasmResult.NOT_FOUND : copyOut(w, value.get(), a[2], a[3]);
              }),
          def(
              "proxy_continue_request",
              0,
              V010,
              (w, vm, a) -> t(w).continueStream(StreamType.REQUEST)),
          def(
              "proxy_continue_response",
              0,
              V010,
              (w, vm, a) -> t(w).continueStream(StreamType.RESPONSE)),
          def("proxy_clear_route_cache", 0, V010, (w, vm, a) -> WasmResult.OK),
          def(
              "proxy_continue_stream",
              1,
              V02X,
              (w, vm, a) ->
                  ptr(a[0]) > MAX_STREAM_TYPE
                      ? WasmResult.BAD_ARGUMENT
                      : t(w).continueStream(StreamType.fromCode(a[0]).orElseThrow())),
          def(
              "proxy_close_stream",
              1,
              V02X,
              (w, vm, a) ->
                  ptr(a[0]) > MAX_STREAM_TYPE
                      ? WasmResult.BAD_ARGUMENT
                      : t(w).closeStream(StreamType.fromCode(a[0]).orElseThrow())),
          def(
              "proxy_send_local_response",
              8,
              ALL,
              (w, vm, a) -> {
                String details = string(vm, a[1], a[2]);
                byte[] body = bytes(vm, a[3], a[4]);
                List<Map.Entry<String, String>> headers = Pairs.decode(bytes(vm, a[5], a[6]));
                return t(w).sendLocalResponse((int) a[0], details, body, headers, (int) a[7]);
              }),
          def(
              "proxy_get_shared_data",
              5,
              ALL,
              (w, vm, a) -> {
                HostResult<SharedDataValue> entry = t(w).sharedData(byteString(vm, a[0], a[1]));
                if (!entry.isOk()) {
                  return entry.status();
                }
                WasmResult r = copyOut(w, entry.value().value(), a[2], a[3]);
                if (r == WasmResult.OK) {
                  vm.writeInt(ptr(a[4]), entry.value().cas());
                }
                return r;
              }),
          def(
              "proxy_set_shared_data",
              5,
              ALL,
              (w, vm, a) ->
                  t(w).setSharedData(
                          byteString(vm, a[0], a[1]), bytes(vm, a[2], a[3]), (int) a[4])),
          def(
              "proxy_register_shared_queue",
              3,
              ALL,
              (w, vm, a) -> token(vm, t(w).registerSharedQueue(string(vm, a[0], a[1])), a[2])),
          def(
              "proxy_resolve_shared_queue",
              5,
              ALL,
              (w, vm, a) -> {
                String vmId = string(vm, a[0], a[1]);
                String name = string(vm, a[2], a[3]);
                return token(vm, t(w).resolveSharedQueue(vmId, name), a[4]);
              }),
          def(
              "proxy_dequeue_shared_queue",
              3,
              ALL,
              (w, vm, a) -> copyOut(w, t(w).dequeueSharedQueue((int) a[0]), a[1], a[2])),
          def(
              "proxy_enqueue_shared_queue",
              3,
              ALL,
              (w, vm, a) -> t(w).enqueueSharedQueue((int) a[0], bytes(vm, a[1], a[2]))),
          def(
              "proxy_get_header_map_value",
              5,
              ALL,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                HostResult<String> found =
                    t(w).headerMapValue(mapType(a[0]), byteString(vm, a[1], a[2]));
                if (!found.isOk()) {
                  return found.status();
                }
                String value = found.value();
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
          def(
              "proxy_add_header_map_value",
              5,
              ALL,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                String key = byteString(vm, a[1], a[2]);
                String value = byteString(vm, a[3], a[4]);
                return t(w).addHeaderMapValue(mapType(a[0]), key, value);
              }),
          def(
              "proxy_replace_header_map_value",
              5,
              ALL,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                String key = byteString(vm, a[1], a[2]);
                String value = byteString(vm, a[3], a[4]);
                return t(w).replaceHeaderMapValue(mapType(a[0]), key, value);
              }),
          def(
              "proxy_remove_header_map_value",
              3,
              ALL,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                return t(w).removeHeaderMapValue(mapType(a[0]), byteString(vm, a[1], a[2]));
              }),
          def(
              "proxy_get_header_map_pairs",
              3,
              ALL,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                // A map that is not there reads as an empty one (Envoy's getHeaderMapPairs).
                HeaderMap m = t(w).readableMapOrNull((int) a[0]);
                if (m == null || m.size() == 0) {
                  return copyOut(w, NO_BYTES, a[1], a[2]);
                }
                // Serialised straight into the VM's scratch buffer, then once into linear memory.
                List<Map.Entry<String, String>> pairs = m.view();
                return w.copyOutEncoded(
                        pairs,
                        Pairs.encodedSize(pairs),
                        (p, target) -> Pairs.encodeInto(p, target, 0),
                        ptr(a[1]),
                        ptr(a[2]))
                    ? WasmResult.OK
                    : WasmResult.INVALID_MEMORY_ACCESS;
              }),
          def(
              "proxy_set_header_map_pairs",
              3,
              ALL,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                List<Map.Entry<String, String>> pairs = Pairs.decode(bytes(vm, a[1], a[2]));
                return t(w).setHeaderMapPairs(mapType(a[0]), pairs);
              }),
          def(
              "proxy_get_header_map_size",
              2,
              ALL,
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
          def(
              "proxy_get_buffer_status",
              3,
              ALL,
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
          def(
              "proxy_get_buffer_bytes",
              5,
              ALL,
              (w, vm, a) ->
                  badBufferType(a[0])
                      ? WasmResult.BAD_ARGUMENT
                      : copyOut(
                          w, t(w).bufferBytes(bufferType(a[0]), ptr(a[1]), ptr(a[2])), a[3], a[4])),
          def(
              "proxy_set_buffer_bytes",
              5,
              ALL,
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
          def(
              "proxy_http_call",
              10,
              ALL,
              (w, vm, a) -> {
                String upstream = string(vm, a[0], a[1]);
                List<Map.Entry<String, String>> headers = Pairs.decode(bytes(vm, a[2], a[3]));
                byte[] body = bytes(vm, a[4], a[5]);
                List<Map.Entry<String, String>> trailers = Pairs.decode(bytes(vm, a[6], a[7]));
                vm.writeInt(ptr(a[9]), 0);
                return token(
                    vm,
                    t(w).httpCall(upstream, headers, body, trailers, Duration.ofMillis((int) a[8])),
                    a[9]);
              }),
          def("proxy_grpc_call", 12, ALL, (w, vm, a) -> grpc(w, vm, a, false)),
          def("proxy_grpc_stream", 9, ALL, (w, vm, a) -> grpc(w, vm, a, true)),
          def("proxy_grpc_cancel", 1, ALL, (w, vm, a) -> t(w).grpcCancel((int) a[0])),
          def("proxy_grpc_close", 1, ALL, (w, vm, a) -> t(w).grpcClose((int) a[0])),
          def(
              "proxy_grpc_send",
              4,
              ALL,
              (w, vm, a) -> t(w).grpcSend((int) a[0], bytes(vm, a[1], a[2]), a[3] != 0)),
          def(
              "proxy_set_tick_period_milliseconds",
              1,
              ALL,
              (w, vm, a) -> t(w).setTickPeriod(Duration.ofMillis(ptr(a[0])))),
          def(
              "proxy_get_current_time_nanoseconds",
              1,
              ALL,
              (w, vm, a) -> {
                vm.writeLong(ptr(a[0]), t(w).currentTimeNanos());
                return WasmResult.OK;
              }),
          def(
              "proxy_define_metric",
              4,
              ALL,
              (w, vm, a) -> {
                Optional<MetricType> type = MetricType.fromCode(ptr(a[0]));
                if (type.isEmpty()) {
                  return WasmResult.BAD_ARGUMENT;
                }
                return token(vm, t(w).defineMetric(type.get(), string(vm, a[1], a[2])), a[3]);
              }),
          new Def(
              "proxy_increment_metric",
              withI64(1, 0),
              ALL,
              (w, vm, a) -> t(w).incrementMetric((int) a[0], a[1])),
          new Def(
              "proxy_record_metric",
              withI64(1, 0),
              ALL,
              (w, vm, a) -> t(w).recordMetric((int) a[0], a[1])),
          def(
              "proxy_get_metric",
              2,
              ALL,
              (w, vm, a) -> {
                HostResult<Long> reading = t(w).metric((int) a[0]);
                if (reading.isOk()) {
                  vm.writeLong(ptr(a[1]), reading.value());
                }
                return reading.status();
              }),
          def(
              "proxy_set_effective_context",
              1,
              ALL,
              (w, vm, a) -> t(w).setEffectiveContext((int) a[0])),
          def("proxy_done", 0, ALL, (w, vm, a) -> t(w).done()),
          def(
              "proxy_call_foreign_function",
              6,
              ALL,
              (w, vm, a) -> {
                String name = string(vm, a[0], a[1]);
                byte[] args = bytes(vm, a[2], a[3]);
                return copyOut(w, t(w).callForeignFunction(name, args), a[4], a[5]);
              }));
}

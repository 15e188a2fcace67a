package io.proxywasm.host.internal;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.ForeignFunction;
import io.proxywasm.host.GrpcCallRequest;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpCallRequest;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.MemoryAccessException;
import io.proxywasm.spi.MetricType;
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
    return out;
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
      return new long[] {r.code()};
    };
  }

  private static HostFunction.Body restricted(WasmBase wasm, String name) {
    return a -> {
      Logging.error(wasm, "Attempted call to restricted proxy-wasm capability: " + name);
      return new long[] {WasmResult.INTERNAL_FAILURE.code()};
    };
  }

  // ---- argument helpers -----------------------------------------------------------------------

  private static long ptr(long arg) {
    return arg & 0xFFFF_FFFFL;
  }

  private static byte[] bytes(WasmVm vm, long ptrArg, long sizeArg) {
    long address = ptr(ptrArg);
    long size = ptr(sizeArg);
    MemoryAccessException.checkBounds(address, size, vm.memorySize());
    return vm.read(address, (int) size);
  }

  private static String string(WasmVm vm, long ptrArg, long sizeArg) {
    return new String(bytes(vm, ptrArg, sizeArg), StandardCharsets.UTF_8);
  }

  private static WasmResult copyOut(WasmBase wasm, byte[] data, long ptrPtr, long sizePtr) {
    return wasm.copyOut(data, ptr(ptrPtr), ptr(sizePtr))
        ? WasmResult.OK
        : WasmResult.INVALID_MEMORY_ACCESS;
  }

  private static Context ctx(WasmBase wasm) {
    return wasm.effectiveContext();
  }

  private static Context root(WasmBase wasm) {
    return ctx(wasm).root();
  }

  /** proxy_grpc_call (12 arguments) and proxy_grpc_stream (9 arguments). */
  private static WasmResult grpc(WasmBase w, WasmVm vm, long[] a, boolean streaming) {
    byte[] service = bytes(vm, a[0], a[1]);
    String serviceName = string(vm, a[2], a[3]);
    String method = string(vm, a[4], a[5]);
    List<Map.Entry<String, String>> metadata = Pairs.decode(bytes(vm, a[6], a[7]));
    byte[] message = streaming ? new byte[0] : bytes(vm, a[8], a[9]);
    long tokenPtr = ptr(streaming ? a[8] : a[11]);
    vm.writeInt(tokenPtr, 0);
    Context root = root(w);
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
                streaming ? Duration.ZERO : Duration.ofMillis(ptr(a[10])),
                streaming,
                Logging.info(root)),
            token);
    if (r == WasmResult.OK) {
      vm.writeInt(tokenPtr, token[0]);
    }
    return r;
  }

  private static Optional<HeaderMap> headerMap(Context c, int type) {
    if (type <= 3) {
      return c.stream().headerMap(type);
    }
    return Optional.ofNullable(
        c.root().calloutMaps().get(io.proxywasm.spi.HeaderMapType.fromCode(type).orElseThrow()));
  }

  /** An operation on the header map a host call names. */
  @FunctionalInterface
  private interface MapOp {
    WasmResult apply(HeaderMap map);
  }

  /** An operation on the buffer a host call names. */
  @FunctionalInterface
  private interface BufferOp {
    WasmResult apply(BufferRef buffer);
  }

  /**
   * Runs an operation on the header map of the given type: {@code BadArgument} for a type above 7,
   * {@code NotFound} when the context has no such map. The caller reads plugin memory first, as
   * cpp-host does, so that a bad pointer is reported before a missing map.
   */
  private static WasmResult onMap(WasmBase w, long type, MapOp op) {
    Optional<HeaderMap> map = headerMap(ctx(w), (int) type);
    return map.isEmpty() ? WasmResult.NOT_FOUND : op.apply(map.get());
  }

  /** Runs an operation on the buffer of the given type, as {@link #onMap} does for maps. */
  private static WasmResult onBuffer(WasmBase w, long type, BufferOp op) {
    Optional<BufferRef> buffer = buffer(ctx(w), (int) type);
    return buffer.isEmpty() ? WasmResult.NOT_FOUND : op.apply(buffer.get());
  }

  /** Runs an action that cannot fail but by a memory fault, and answers {@code Ok}. */
  private static WasmResult ok(Runnable action) {
    action.run();
    return WasmResult.OK;
  }

  private static boolean badMapType(long type) {
    return ptr(type) > MAX_HEADER_MAP_TYPE;
  }

  private static boolean badBufferType(long type) {
    return ptr(type) > MAX_BUFFER_TYPE;
  }

  /** A buffer and whether the plugin may change it. */
  private record BufferRef(BodyBuffer buffer, boolean writable) {}

  private static Optional<BufferRef> buffer(Context c, int type) {
    switch (type) {
      case 0:
      case 1:
      case 2:
      case 3:
        return c.stream().buffer(type).map(b -> new BufferRef(b, true));
      case 6:
        return Optional.of(new BufferRef(new BodyBuffer(c.wasm().spec().vmConfiguration()), false));
      case 7:
        return c.root().configuring()
            ? Optional.of(
                new BufferRef(
                    new BodyBuffer(c.root().plugin().config().pluginConfiguration()), false))
            : Optional.empty();
      default:
        return Optional.ofNullable(
                c.root()
                    .calloutBuffers()
                    .get(io.proxywasm.spi.BufferType.fromCode(type).orElseThrow()))
            .map(b -> new BufferRef(b, false));
    }
  }

  private static WasmResult continueStream(WasmBase wasm, StreamType type) {
    Context c = ctx(wasm);
    if (c.stream() == StreamRole.NONE) {
      return WasmResult.NOT_FOUND;
    }
    wasm.afterCall(() -> c.stream().continueStream(type));
    return WasmResult.OK;
  }

  private static WasmResult closeStream(WasmBase wasm, StreamType type) {
    Context c = ctx(wasm);
    if (c.stream() == StreamRole.NONE) {
      return WasmResult.NOT_FOUND;
    }
    wasm.afterCall(() -> c.stream().closeStream(type));
    return WasmResult.OK;
  }

  private static Optional<byte[]> property(Context c, List<String> path) {
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
    return own.isPresent() ? own : c.wasm().host().properties().get(path);
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
                Logging.log(w, ctx(w), level.get(), string(vm, a[1], a[2]));
                return WasmResult.OK;
              }),
          def(
              "proxy_get_log_level",
              1,
              V021,
              (w, vm, a) -> {
                vm.writeInt(ptr(a[0]), Logging.level(ctx(w)).code());
                return WasmResult.OK;
              }),
          def(
              "proxy_get_status",
              3,
              ALL,
              (w, vm, a) -> {
                Context root = root(w);
                vm.writeInt(ptr(a[0]), root.statusCode());
                return copyOut(w, Keys.utf8(root.statusMessage()), a[1], a[2]);
              }),
          def(
              "proxy_get_configuration",
              2,
              V010,
              (w, vm, a) -> {
                Context root = ctx(w).root();
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
                  w.host()
                      .properties()
                      .set(Pairs.splitPath(bytes(vm, a[0], a[1])), bytes(vm, a[2], a[3]))),
          def(
              "proxy_get_property",
              4,
              ALL,
              (w, vm, a) -> {
                List<String> path = Pairs.splitPath(bytes(vm, a[0], a[1]));
                Optional<byte[]> value = property(ctx(w), path);
                return value.isEmpty() ? WasmResult.NOT_FOUND : copyOut(w, value.get(), a[2], a[3]);
              }),
          def(
              "proxy_continue_request",
              0,
              V010,
              (w, vm, a) -> continueStream(w, StreamType.REQUEST)),
          def(
              "proxy_continue_response",
              0,
              V010,
              (w, vm, a) -> continueStream(w, StreamType.RESPONSE)),
          def("proxy_clear_route_cache", 0, V010, (w, vm, a) -> WasmResult.OK),
          def(
              "proxy_continue_stream",
              1,
              V02X,
              (w, vm, a) ->
                  ptr(a[0]) > MAX_STREAM_TYPE
                      ? WasmResult.BAD_ARGUMENT
                      : continueStream(w, StreamType.fromCode(a[0]).orElseThrow())),
          def(
              "proxy_close_stream",
              1,
              V02X,
              (w, vm, a) ->
                  ptr(a[0]) > MAX_STREAM_TYPE
                      ? WasmResult.BAD_ARGUMENT
                      : closeStream(w, StreamType.fromCode(a[0]).orElseThrow())),
          def(
              "proxy_send_local_response",
              8,
              ALL,
              (w, vm, a) -> {
                String details = string(vm, a[1], a[2]);
                byte[] body = bytes(vm, a[3], a[4]);
                List<Map.Entry<String, String>> headers = Pairs.decode(bytes(vm, a[5], a[6]));
                LocalResponse response =
                    new LocalResponse((int) a[0], body, headers, (int) a[7], details);
                Context c = ctx(w);
                w.afterCall(() -> c.stream().sendLocalResponse(response));
                w.stopNextIteration();
                return WasmResult.OK;
              }),
          def(
              "proxy_get_shared_data",
              5,
              ALL,
              (w, vm, a) -> {
                String key = string(vm, a[0], a[1]);
                var entry = w.host().sharedData().get(w.spec().vmId(), key);
                if (entry.isEmpty()) {
                  return WasmResult.NOT_FOUND;
                }
                WasmResult r = copyOut(w, entry.get().value(), a[2], a[3]);
                if (r == WasmResult.OK) {
                  vm.writeInt(ptr(a[4]), entry.get().cas());
                }
                return r;
              }),
          def(
              "proxy_set_shared_data",
              5,
              ALL,
              (w, vm, a) ->
                  w.host()
                      .sharedData()
                      .set(
                          w.spec().vmId(),
                          string(vm, a[0], a[1]),
                          bytes(vm, a[2], a[3]),
                          (int) a[4])),
          def(
              "proxy_register_shared_queue",
              3,
              ALL,
              (w, vm, a) -> {
                String name = string(vm, a[0], a[1]);
                Context root = ctx(w).root();
                int token = Queues.register(w, root, name);
                vm.writeInt(ptr(a[2]), token);
                return WasmResult.OK;
              }),
          def(
              "proxy_resolve_shared_queue",
              5,
              ALL,
              (w, vm, a) -> {
                String vmId = string(vm, a[0], a[1]);
                String name = string(vm, a[2], a[3]);
                int token =
                    w.host().sharedQueues().resolve(vmId.isEmpty() ? w.spec().vmId() : vmId, name);
                if (token == 0) {
                  return WasmResult.NOT_FOUND;
                }
                vm.writeInt(ptr(a[4]), token);
                return WasmResult.OK;
              }),
          def(
              "proxy_dequeue_shared_queue",
              3,
              ALL,
              (w, vm, a) -> {
                var item = w.host().sharedQueues().dequeue((int) a[0]);
                if (item.status() != WasmResult.OK) {
                  return item.status();
                }
                return copyOut(w, item.data(), a[1], a[2]);
              }),
          def(
              "proxy_enqueue_shared_queue",
              3,
              ALL,
              (w, vm, a) -> w.host().sharedQueues().enqueue((int) a[0], bytes(vm, a[1], a[2]))),
          def(
              "proxy_get_header_map_value",
              5,
              ALL,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                String key = string(vm, a[1], a[2]);
                return onMap(
                    w,
                    a[0],
                    m -> {
                      Optional<String> value = m.get(key);
                      if (value.isEmpty()) {
                        // 0.1.0 answers a missing header with Ok and an empty value (Envoy)
                        return w.abi() == AbiVersion.V0_1_0
                            ? copyOut(w, new byte[0], a[3], a[4])
                            : WasmResult.NOT_FOUND;
                      }
                      return copyOut(w, Keys.utf8(value.get()), a[3], a[4]);
                    });
              }),
          def(
              "proxy_add_header_map_value",
              5,
              ALL,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                String key = string(vm, a[1], a[2]);
                String value = string(vm, a[3], a[4]);
                return onMap(w, a[0], m -> ok(() -> m.add(key, value)));
              }),
          def(
              "proxy_replace_header_map_value",
              5,
              ALL,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                String key = string(vm, a[1], a[2]);
                String value = string(vm, a[3], a[4]);
                return onMap(w, a[0], m -> ok(() -> m.set(key, value)));
              }),
          def(
              "proxy_remove_header_map_value",
              3,
              ALL,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                String key = string(vm, a[1], a[2]);
                return onMap(w, a[0], m -> ok(() -> m.remove(key)));
              }),
          def(
              "proxy_get_header_map_pairs",
              3,
              ALL,
              (w, vm, a) ->
                  badMapType(a[0])
                      ? WasmResult.BAD_ARGUMENT
                      : onMap(
                          w,
                          a[0],
                          m ->
                              copyOut(
                                  w,
                                  m.size() == 0 ? new byte[0] : Pairs.encode(m.entries()),
                                  a[1],
                                  a[2]))),
          def(
              "proxy_set_header_map_pairs",
              3,
              ALL,
              (w, vm, a) -> {
                if (badMapType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                List<Map.Entry<String, String>> pairs = Pairs.decode(bytes(vm, a[1], a[2]));
                return onMap(w, a[0], m -> ok(() -> m.setAll(pairs)));
              }),
          def(
              "proxy_get_header_map_size",
              2,
              ALL,
              (w, vm, a) ->
                  badMapType(a[0])
                      ? WasmResult.BAD_ARGUMENT
                      : onMap(w, a[0], m -> ok(() -> vm.writeWord(ptr(a[1]), m.byteSize())))),
          def(
              "proxy_get_buffer_status",
              3,
              ALL,
              (w, vm, a) ->
                  badBufferType(a[0])
                      ? WasmResult.BAD_ARGUMENT
                      : onBuffer(
                          w,
                          a[0],
                          b ->
                              ok(
                                  () -> {
                                    vm.writeWord(ptr(a[1]), b.buffer().length());
                                    vm.writeInt(ptr(a[2]), 0);
                                  }))),
          def(
              "proxy_get_buffer_bytes",
              5,
              ALL,
              (w, vm, a) ->
                  badBufferType(a[0])
                      ? WasmResult.BAD_ARGUMENT
                      : onBuffer(
                          w,
                          a[0],
                          b -> copyOut(w, b.buffer().slice(ptr(a[1]), ptr(a[2])), a[3], a[4]))),
          def(
              "proxy_set_buffer_bytes",
              5,
              ALL,
              (w, vm, a) -> {
                if (badBufferType(a[0])) {
                  return WasmResult.BAD_ARGUMENT;
                }
                Optional<BufferRef> buffer = buffer(ctx(w), (int) a[0]);
                if (buffer.isEmpty()) {
                  return WasmResult.NOT_FOUND;
                }
                byte[] data = bytes(vm, a[3], a[4]);
                return buffer.get().writable()
                    ? buffer.get().buffer().replace(ptr(a[1]), ptr(a[2]), data)
                    : WasmResult.BAD_ARGUMENT;
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
                Context root = ctx(w).root();
                int[] token = new int[1];
                WasmResult r =
                    Callouts.httpCall(
                        root,
                        new HttpCallRequest(
                            upstream,
                            headers,
                            body,
                            trailers,
                            Duration.ofMillis(ptr(a[8])),
                            Logging.info(root)),
                        token);
                if (r == WasmResult.OK) {
                  vm.writeInt(ptr(a[9]), token[0]);
                }
                return r;
              }),
          def("proxy_grpc_call", 12, ALL, (w, vm, a) -> grpc(w, vm, a, false)),
          def("proxy_grpc_stream", 9, ALL, (w, vm, a) -> grpc(w, vm, a, true)),
          def("proxy_grpc_cancel", 1, ALL, (w, vm, a) -> GrpcCallouts.cancel(root(w), (int) a[0])),
          def("proxy_grpc_close", 1, ALL, (w, vm, a) -> GrpcCallouts.close(root(w), (int) a[0])),
          def(
              "proxy_grpc_send",
              4,
              ALL,
              (w, vm, a) ->
                  GrpcCallouts.send(root(w), (int) a[0], bytes(vm, a[1], a[2]), a[3] != 0)),
          def(
              "proxy_set_tick_period_milliseconds",
              1,
              ALL,
              (w, vm, a) -> {
                ctx(w).root().setTickPeriod(ptr(a[0]));
                return WasmResult.OK;
              }),
          def(
              "proxy_get_current_time_nanoseconds",
              1,
              ALL,
              (w, vm, a) -> {
                vm.writeLong(ptr(a[0]), w.host().clock().realtimeNanos());
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
                String name = string(vm, a[1], a[2]);
                int id = w.metrics().define(type.get(), name, Logging.info(ctx(w)));
                vm.writeInt(ptr(a[3]), id);
                return WasmResult.OK;
              }),
          new Def(
              "proxy_increment_metric",
              withI64(1, 0),
              ALL,
              (w, vm, a) -> w.metrics().increment((int) a[0], a[1])),
          new Def(
              "proxy_record_metric",
              withI64(1, 0),
              ALL,
              (w, vm, a) -> w.metrics().record((int) a[0], a[1])),
          def(
              "proxy_get_metric",
              2,
              ALL,
              (w, vm, a) -> {
                MetricTable.Reading reading = w.metrics().get((int) a[0]);
                if (reading.status() == WasmResult.OK) {
                  vm.writeLong(ptr(a[1]), reading.value());
                }
                return reading.status();
              }),
          def(
              "proxy_set_effective_context",
              1,
              ALL,
              (w, vm, a) ->
                  w.setEffectiveContext((int) a[0]) ? WasmResult.OK : WasmResult.BAD_ARGUMENT),
          def(
              "proxy_done",
              0,
              ALL,
              (w, vm, a) -> w.done(ctx(w)) ? WasmResult.OK : WasmResult.NOT_FOUND),
          def(
              "proxy_call_foreign_function",
              6,
              ALL,
              (w, vm, a) -> {
                String name = string(vm, a[0], a[1]);
                byte[] args = bytes(vm, a[2], a[3]);
                ForeignFunction f = w.host().foreignFunctions().get(name);
                if (f == null) {
                  return WasmResult.NOT_FOUND;
                }
                byte[] result;
                try {
                  result = f.call(Logging.info(ctx(w)), args);
                } catch (ForeignFunction.Failure e) {
                  return e.result();
                } catch (RuntimeException e) {
                  Logging.error(w, "foreign function " + name + " failed: " + e);
                  return WasmResult.INTERNAL_FAILURE;
                }
                return copyOut(w, result == null ? new byte[0] : result, a[4], a[5]);
              }));
}

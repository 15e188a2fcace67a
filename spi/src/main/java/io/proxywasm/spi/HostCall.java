package io.proxywasm.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The catalogue of host functions a proxy-wasm module may import from module {@code env}: each
 * one's name, wasm signature, the ABI versions it exists in, the group it belongs to and how
 * capability restriction treats it, as proxy-wasm-cpp-host registers them. The host's import table,
 * its capability checks, the typed {@link HostAbi} and the tools that list imports are derived from
 * this one list; no other place spells a host call's name.
 *
 * <p>Capability restriction ({@code allowed_capabilities}) names a host call by {@link #abiName()};
 * a restricted call is still linked but answers {@link WasmResult#INTERNAL_FAILURE}. The two
 * Emscripten helpers are never restricted.
 */
public enum HostCall {
  /** {@code proxy_log(level, message, size)}. */
  LOG("proxy_log", i32(3), Versions.ALL, Group.LOGGING, Flags.START | Flags.ALLOCATOR),
  /** {@code proxy_get_log_level(ret_level)}, from ABI 0.2.1. */
  GET_LOG_LEVEL("proxy_get_log_level", i32(1), Versions.V021, Group.LOGGING, 0),
  /** {@code proxy_get_status(ret_code, ret_message, ret_size)}. */
  GET_STATUS("proxy_get_status", i32(3), Versions.ALL, Group.CALLOUTS, 0),
  /** {@code proxy_get_configuration(ret_data, ret_size)}, ABI 0.1.0 only. */
  GET_CONFIGURATION("proxy_get_configuration", i32(2), Versions.V010, Group.CONFIGURATION, 0),
  /** {@code proxy_set_property(path, path_size, value, value_size)}. */
  SET_PROPERTY("proxy_set_property", i32(4), Versions.ALL, Group.PROPERTIES, 0),
  /** {@code proxy_get_property(path, path_size, ret_data, ret_size)}. */
  GET_PROPERTY("proxy_get_property", i32(4), Versions.ALL, Group.PROPERTIES, 0),
  /** {@code proxy_continue_request()}, ABI 0.1.0 only. */
  CONTINUE_REQUEST("proxy_continue_request", i32(0), Versions.V010, Group.STREAMS, 0),
  /** {@code proxy_continue_response()}, ABI 0.1.0 only. */
  CONTINUE_RESPONSE("proxy_continue_response", i32(0), Versions.V010, Group.STREAMS, 0),
  /** {@code proxy_clear_route_cache()}, ABI 0.1.0 only. */
  CLEAR_ROUTE_CACHE("proxy_clear_route_cache", i32(0), Versions.V010, Group.STREAMS, 0),
  /** {@code proxy_continue_stream(stream_type)}, from ABI 0.2.0. */
  CONTINUE_STREAM("proxy_continue_stream", i32(1), Versions.V02X, Group.STREAMS, 0),
  /** {@code proxy_close_stream(stream_type)}, from ABI 0.2.0. */
  CLOSE_STREAM("proxy_close_stream", i32(1), Versions.V02X, Group.STREAMS, 0),
  /** {@code proxy_send_local_response(status, details, size, body, size, headers, size, grpc)}. */
  SEND_LOCAL_RESPONSE("proxy_send_local_response", i32(8), Versions.ALL, Group.STREAMS, 0),
  /** {@code proxy_get_shared_data(key, size, ret_value, ret_size, ret_cas)}. */
  GET_SHARED_DATA("proxy_get_shared_data", i32(5), Versions.ALL, Group.SHARED_DATA, 0),
  /** {@code proxy_set_shared_data(key, size, value, size, cas)}. */
  SET_SHARED_DATA("proxy_set_shared_data", i32(5), Versions.ALL, Group.SHARED_DATA, 0),
  /** {@code proxy_register_shared_queue(name, size, ret_token)}. */
  REGISTER_SHARED_QUEUE(
      "proxy_register_shared_queue", i32(3), Versions.ALL, Group.SHARED_QUEUES, 0),
  /** {@code proxy_resolve_shared_queue(vm_id, size, name, size, ret_token)}. */
  RESOLVE_SHARED_QUEUE("proxy_resolve_shared_queue", i32(5), Versions.ALL, Group.SHARED_QUEUES, 0),
  /** {@code proxy_dequeue_shared_queue(token, ret_data, ret_size)}. */
  DEQUEUE_SHARED_QUEUE("proxy_dequeue_shared_queue", i32(3), Versions.ALL, Group.SHARED_QUEUES, 0),
  /** {@code proxy_enqueue_shared_queue(token, data, size)}. */
  ENQUEUE_SHARED_QUEUE("proxy_enqueue_shared_queue", i32(3), Versions.ALL, Group.SHARED_QUEUES, 0),
  /** {@code proxy_get_header_map_value(type, key, size, ret_value, ret_size)}. */
  GET_HEADER_MAP_VALUE("proxy_get_header_map_value", i32(5), Versions.ALL, Group.HEADERS, 0),
  /** {@code proxy_add_header_map_value(type, key, size, value, size)}. */
  ADD_HEADER_MAP_VALUE("proxy_add_header_map_value", i32(5), Versions.ALL, Group.HEADERS, 0),
  /** {@code proxy_replace_header_map_value(type, key, size, value, size)}. */
  REPLACE_HEADER_MAP_VALUE(
      "proxy_replace_header_map_value", i32(5), Versions.ALL, Group.HEADERS, 0),
  /** {@code proxy_remove_header_map_value(type, key, size)}. */
  REMOVE_HEADER_MAP_VALUE("proxy_remove_header_map_value", i32(3), Versions.ALL, Group.HEADERS, 0),
  /** {@code proxy_get_header_map_pairs(type, ret_data, ret_size)}. */
  GET_HEADER_MAP_PAIRS("proxy_get_header_map_pairs", i32(3), Versions.ALL, Group.HEADERS, 0),
  /** {@code proxy_set_header_map_pairs(type, data, size)}. */
  SET_HEADER_MAP_PAIRS("proxy_set_header_map_pairs", i32(3), Versions.ALL, Group.HEADERS, 0),
  /** {@code proxy_get_header_map_size(type, ret_size)}. */
  GET_HEADER_MAP_SIZE("proxy_get_header_map_size", i32(2), Versions.ALL, Group.HEADERS, 0),
  /** {@code proxy_get_buffer_status(type, ret_length, ret_flags)}. */
  GET_BUFFER_STATUS("proxy_get_buffer_status", i32(3), Versions.ALL, Group.BUFFERS, 0),
  /** {@code proxy_get_buffer_bytes(type, start, length, ret_data, ret_size)}. */
  GET_BUFFER_BYTES("proxy_get_buffer_bytes", i32(5), Versions.ALL, Group.BUFFERS, 0),
  /** {@code proxy_set_buffer_bytes(type, start, length, data, size)}. */
  SET_BUFFER_BYTES("proxy_set_buffer_bytes", i32(5), Versions.ALL, Group.BUFFERS, 0),
  /**
   * {@code proxy_http_call(upstream, size, headers, size, body, size, trailers, size, ms, ret)}.
   */
  HTTP_CALL("proxy_http_call", i32(10), Versions.ALL, Group.CALLOUTS, 0),
  /**
   * {@code proxy_grpc_call(service, size, name, size, method, size, md, size, msg, size, ms, ret)}.
   */
  GRPC_CALL("proxy_grpc_call", i32(12), Versions.ALL, Group.CALLOUTS, 0),
  /** {@code proxy_grpc_stream(service, size, name, size, method, size, md, size, ret_token)}. */
  GRPC_STREAM("proxy_grpc_stream", i32(9), Versions.ALL, Group.CALLOUTS, 0),
  /** {@code proxy_grpc_cancel(token)}. */
  GRPC_CANCEL("proxy_grpc_cancel", i32(1), Versions.ALL, Group.CALLOUTS, 0),
  /** {@code proxy_grpc_close(token)}. */
  GRPC_CLOSE("proxy_grpc_close", i32(1), Versions.ALL, Group.CALLOUTS, 0),
  /** {@code proxy_grpc_send(token, message, size, end_of_stream)}. */
  GRPC_SEND("proxy_grpc_send", i32(4), Versions.ALL, Group.CALLOUTS, 0),
  /** {@code proxy_set_tick_period_milliseconds(period)}. */
  SET_TICK_PERIOD(
      "proxy_set_tick_period_milliseconds", i32(1), Versions.ALL, Group.TIMERS_AND_TIME, 0),
  /** {@code proxy_get_current_time_nanoseconds(ret_time)}. */
  GET_CURRENT_TIME(
      "proxy_get_current_time_nanoseconds", i32(1), Versions.ALL, Group.TIMERS_AND_TIME, 0),
  /** {@code proxy_define_metric(type, name, size, ret_id)}. */
  DEFINE_METRIC("proxy_define_metric", i32(4), Versions.ALL, Group.METRICS, 0),
  /** {@code proxy_increment_metric(id, i64 offset)}. */
  INCREMENT_METRIC("proxy_increment_metric", idAndI64(), Versions.ALL, Group.METRICS, 0),
  /** {@code proxy_record_metric(id, i64 value)}. */
  RECORD_METRIC("proxy_record_metric", idAndI64(), Versions.ALL, Group.METRICS, 0),
  /** {@code proxy_get_metric(id, ret_value)}. */
  GET_METRIC("proxy_get_metric", i32(2), Versions.ALL, Group.METRICS, 0),
  /** {@code proxy_set_effective_context(context_id)}. */
  SET_EFFECTIVE_CONTEXT("proxy_set_effective_context", i32(1), Versions.ALL, Group.CONTEXTS, 0),
  /** {@code proxy_done()}. */
  DONE("proxy_done", i32(0), Versions.ALL, Group.CONTEXTS, 0),
  /** {@code proxy_call_foreign_function(name, size, args, size, ret_data, ret_size)}. */
  CALL_FOREIGN_FUNCTION(
      "proxy_call_foreign_function", i32(6), Versions.ALL, Group.FOREIGN_FUNCTIONS, 0),
  /** {@code pthread_equal(a, b)}: an Emscripten helper, never restricted. */
  PTHREAD_EQUAL("pthread_equal", i32(2), Versions.ALL, Group.EMSCRIPTEN, Flags.UNRESTRICTED),
  /** {@code emscripten_notify_memory_growth(index)}: an Emscripten helper, never restricted. */
  EMSCRIPTEN_NOTIFY_MEMORY_GROWTH(
      "emscripten_notify_memory_growth",
      FunctionType.i32(1, 0),
      Versions.ALL,
      Group.EMSCRIPTEN,
      Flags.UNRESTRICTED | Flags.START);

  /** The import module of every host call. */
  public static final String MODULE = "env";

  /** What a host call is for; {@link HostAbi}'s role interfaces follow these groups. */
  public enum Group {
    /** Logging and the log level. */
    LOGGING,
    /** The configuration of ABI 0.1.0 (later versions read configuration buffers). */
    CONFIGURATION,
    /** Properties of the stream, the plugin and the host. */
    PROPERTIES,
    /** Continuing, closing and answering streams. */
    STREAMS,
    /** Data shared by the VMs of one vm_id. */
    SHARED_DATA,
    /** Queues shared by the VMs of one vm_id. */
    SHARED_QUEUES,
    /** Header and trailer maps. */
    HEADERS,
    /** Bodies, data and configuration buffers. */
    BUFFERS,
    /** HTTP and gRPC callouts and their status. */
    CALLOUTS,
    /** The tick timer and the clock. */
    TIMERS_AND_TIME,
    /** Counters, gauges and histograms. */
    METRICS,
    /** The effective context and the end of a root context. */
    CONTEXTS,
    /** Functions the host offers by name. */
    FOREIGN_FUNCTIONS,
    /** Helpers modules built with Emscripten import. */
    EMSCRIPTEN
  }

  private static final class Versions {
    static final Set<AbiVersion> ALL = Collections.unmodifiableSet(EnumSet.allOf(AbiVersion.class));
    static final Set<AbiVersion> V010 = Collections.unmodifiableSet(EnumSet.of(AbiVersion.V0_1_0));
    static final Set<AbiVersion> V02X =
        Collections.unmodifiableSet(EnumSet.of(AbiVersion.V0_2_0, AbiVersion.V0_2_1));
    static final Set<AbiVersion> V021 = Collections.unmodifiableSet(EnumSet.of(AbiVersion.V0_2_1));
  }

  private static final class Flags {
    /** Never subject to capability restriction. */
    static final int UNRESTRICTED = 1;

    /** May be called while the module starts. */
    static final int START = 2;

    /** May be called from inside the module's allocator. */
    static final int ALLOCATOR = 4;
  }

  private static final Map<String, HostCall> BY_NAME = new HashMap<>();

  static {
    for (HostCall c : values()) {
      BY_NAME.put(c.abiName, c);
    }
  }

  private final String abiName;
  private final FunctionType type;
  private final Set<AbiVersion> versions;
  private final Group group;
  private final int flags;

  HostCall(String abiName, FunctionType type, Set<AbiVersion> versions, Group group, int flags) {
    this.abiName = abiName;
    this.type = type;
    this.versions = versions;
    this.group = group;
    this.flags = flags;
  }

  private static FunctionType i32(int params) {
    return FunctionType.i32(params, 1);
  }

  private static FunctionType idAndI64() {
    return FunctionType.of(List.of(ValueType.I32, ValueType.I64), List.of(ValueType.I32));
  }

  /**
   * Returns the import name.
   *
   * @return for example {@code proxy_log}
   */
  public String abiName() {
    return abiName;
  }

  /**
   * Returns the wasm signature the host offers.
   *
   * @return the signature
   */
  public FunctionType type() {
    return type;
  }

  /**
   * Returns the ABI versions a module may import this function in.
   *
   * @return the versions, unmodifiable
   */
  public Set<AbiVersion> versions() {
    return versions;
  }

  /**
   * Tells whether a module of an ABI version may import this function.
   *
   * @param version the module's version
   * @return true if the host offers it to that version
   */
  public boolean existsIn(AbiVersion version) {
    return versions.contains(version);
  }

  /**
   * Returns what the call is for.
   *
   * @return the group
   */
  public Group group() {
    return group;
  }

  /**
   * Tells whether capability restriction applies: every {@code proxy_*} call, never the Emscripten
   * helpers.
   *
   * @return true if {@code allowed_capabilities} can deny it
   */
  public boolean restrictable() {
    return (flags & Flags.UNRESTRICTED) == 0;
  }

  /**
   * Tells whether a module may make this call while it starts ({@code _initialize}, {@code _start},
   * {@code main}), as cpp-host's {@code WasmBase::startVm} allows.
   *
   * @return true if allowed then
   */
  public boolean allowedWhileStarting() {
    return (flags & Flags.START) != 0;
  }

  /**
   * Tells whether a module may make this call from its allocator ({@code malloc}, {@code
   * proxy_on_memory_allocate}) called by the host, as cpp-host's {@code WasmBase::allocMemory}
   * allows.
   *
   * @return true if allowed then
   */
  public boolean allowedInAllocator() {
    return (flags & Flags.ALLOCATOR) != 0;
  }

  /**
   * Returns the host call of an import name.
   *
   * @param abiName the name, for example {@code proxy_log}
   * @return the call, or empty when the ABI has no host call of that name
   */
  public static Optional<HostCall> byName(String abiName) {
    return Optional.ofNullable(BY_NAME.get(abiName));
  }

  /**
   * Returns the host calls a module of an ABI version may import, in catalogue order.
   *
   * @param version the module's version
   * @return the calls
   */
  public static List<HostCall> of(AbiVersion version) {
    List<HostCall> out = new ArrayList<>();
    for (HostCall c : values()) {
      if (c.existsIn(version)) {
        out.add(c);
      }
    }
    return List.copyOf(out);
  }

  /**
   * Returns the import as a runtime lists it.
   *
   * @return {@code env.NAME} with its signature
   */
  public FunctionImport asImport() {
    return new FunctionImport(MODULE, abiName, type);
  }
}

package io.proxywasm.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The catalogue of functions the host calls in a proxy-wasm module: start functions, allocators and
 * the {@code proxy_on_*} callbacks, each with the signature the host requires and the ABI versions
 * it looks for it in, as proxy-wasm-cpp-host fetches them. A module export of one of these names
 * with another signature fails the load.
 *
 * <p>Two constants may share a name when the signature changed between versions ({@code
 * proxy_on_request_headers} takes two arguments in ABI 0.1.0, three later).
 */
public enum Callback {
  /** {@code _initialize()}: a WASI reactor's start function. */
  INITIALIZE("_initialize", 0, 0, Kind.START),
  /** {@code _start()}: a WASI command's start function, called only without {@code _initialize}. */
  START("_start", 0, 0, Kind.START),
  /** {@code main(argc, argv)}: called with {@code (0, 0)} after {@code _initialize}. */
  MAIN("main", 2, 1, Kind.START),
  /** {@code __main_void()}: called after {@code _initialize} when there is no {@code main}. */
  MAIN_VOID("__main_void", 0, 1, Kind.START),
  /** {@code malloc(size)}: the allocator cpp-host prefers. */
  MALLOC("malloc", 1, 1, Kind.ALLOCATOR),
  /** {@code proxy_on_memory_allocate(size)}: the allocator used without {@code malloc}. */
  ON_MEMORY_ALLOCATE("proxy_on_memory_allocate", 1, 1, Kind.ALLOCATOR),
  /** {@code proxy_on_context_create(context_id, parent_context_id)}. */
  ON_CONTEXT_CREATE("proxy_on_context_create", 2, 0, Kind.PLUGIN),
  /** {@code proxy_on_vm_start(root_context_id, vm_configuration_size) -> bool}. */
  ON_VM_START("proxy_on_vm_start", 2, 1, Kind.PLUGIN),
  /** {@code proxy_validate_configuration(root_context_id, size) -> bool}: fetched, never called. */
  VALIDATE_CONFIGURATION("proxy_validate_configuration", 2, 1, Kind.UNCALLED),
  /** {@code proxy_on_configure(root_context_id, plugin_configuration_size) -> bool}. */
  ON_CONFIGURE("proxy_on_configure", 2, 1, Kind.PLUGIN),
  /** {@code proxy_on_tick(root_context_id)}. */
  ON_TICK("proxy_on_tick", 1, 0, Kind.PLUGIN),
  /** {@code proxy_on_queue_ready(root_context_id, token)}. */
  ON_QUEUE_READY("proxy_on_queue_ready", 2, 0, Kind.PLUGIN),
  /** {@code proxy_on_foreign_function(root_context_id, function_id, size)}, from ABI 0.2.0. */
  ON_FOREIGN_FUNCTION(
      "proxy_on_foreign_function",
      FunctionType.i32(3, 0),
      EnumSet.of(AbiVersion.V0_2_0, AbiVersion.V0_2_1),
      Kind.PLUGIN),
  /** {@code proxy_on_new_connection(context_id) -> status}. */
  ON_NEW_CONNECTION("proxy_on_new_connection", 1, 1, Kind.PLUGIN),
  /** {@code proxy_on_downstream_data(context_id, size, end_of_stream) -> status}. */
  ON_DOWNSTREAM_DATA("proxy_on_downstream_data", 3, 1, Kind.PLUGIN),
  /** {@code proxy_on_upstream_data(context_id, size, end_of_stream) -> status}. */
  ON_UPSTREAM_DATA("proxy_on_upstream_data", 3, 1, Kind.PLUGIN),
  /** {@code proxy_on_downstream_connection_close(context_id, peer_type)}. */
  ON_DOWNSTREAM_CONNECTION_CLOSE("proxy_on_downstream_connection_close", 2, 0, Kind.PLUGIN),
  /** {@code proxy_on_upstream_connection_close(context_id, peer_type)}. */
  ON_UPSTREAM_CONNECTION_CLOSE("proxy_on_upstream_connection_close", 2, 0, Kind.PLUGIN),
  /** {@code proxy_on_request_headers(context_id, headers) -> status} of ABI 0.1.0. */
  ON_REQUEST_HEADERS_0_1_0(
      "proxy_on_request_headers",
      FunctionType.i32(2, 1),
      EnumSet.of(AbiVersion.V0_1_0),
      Kind.PLUGIN),
  /** {@code proxy_on_request_headers(context_id, headers, end_of_stream) -> status}. */
  ON_REQUEST_HEADERS(
      "proxy_on_request_headers",
      FunctionType.i32(3, 1),
      EnumSet.of(AbiVersion.V0_2_0, AbiVersion.V0_2_1),
      Kind.PLUGIN),
  /** {@code proxy_on_request_body(context_id, size, end_of_stream) -> status}. */
  ON_REQUEST_BODY("proxy_on_request_body", 3, 1, Kind.PLUGIN),
  /** {@code proxy_on_request_trailers(context_id, trailers) -> status}. */
  ON_REQUEST_TRAILERS("proxy_on_request_trailers", 2, 1, Kind.PLUGIN),
  /** {@code proxy_on_request_metadata(context_id, elements) -> status}: fetched, never called. */
  ON_REQUEST_METADATA("proxy_on_request_metadata", 2, 1, Kind.UNCALLED),
  /** {@code proxy_on_response_headers(context_id, headers) -> status} of ABI 0.1.0. */
  ON_RESPONSE_HEADERS_0_1_0(
      "proxy_on_response_headers",
      FunctionType.i32(2, 1),
      EnumSet.of(AbiVersion.V0_1_0),
      Kind.PLUGIN),
  /** {@code proxy_on_response_headers(context_id, headers, end_of_stream) -> status}. */
  ON_RESPONSE_HEADERS(
      "proxy_on_response_headers",
      FunctionType.i32(3, 1),
      EnumSet.of(AbiVersion.V0_2_0, AbiVersion.V0_2_1),
      Kind.PLUGIN),
  /** {@code proxy_on_response_body(context_id, size, end_of_stream) -> status}. */
  ON_RESPONSE_BODY("proxy_on_response_body", 3, 1, Kind.PLUGIN),
  /** {@code proxy_on_response_trailers(context_id, trailers) -> status}. */
  ON_RESPONSE_TRAILERS("proxy_on_response_trailers", 2, 1, Kind.PLUGIN),
  /** {@code proxy_on_response_metadata(context_id, elements) -> status}: fetched, never called. */
  ON_RESPONSE_METADATA("proxy_on_response_metadata", 2, 1, Kind.UNCALLED),
  /** {@code proxy_on_http_call_response(root_context_id, token, headers, body_size, trailers)}. */
  ON_HTTP_CALL_RESPONSE("proxy_on_http_call_response", 5, 0, Kind.PLUGIN),
  /** {@code proxy_on_grpc_receive_initial_metadata(root_context_id, token, elements)}. */
  ON_GRPC_RECEIVE_INITIAL_METADATA("proxy_on_grpc_receive_initial_metadata", 3, 0, Kind.PLUGIN),
  /** {@code proxy_on_grpc_receive(root_context_id, token, size)}. */
  ON_GRPC_RECEIVE("proxy_on_grpc_receive", 3, 0, Kind.PLUGIN),
  /** {@code proxy_on_grpc_receive_trailing_metadata(root_context_id, token, elements)}. */
  ON_GRPC_RECEIVE_TRAILING_METADATA("proxy_on_grpc_receive_trailing_metadata", 3, 0, Kind.PLUGIN),
  /** {@code proxy_on_grpc_close(root_context_id, token, status)}. */
  ON_GRPC_CLOSE("proxy_on_grpc_close", 3, 0, Kind.PLUGIN),
  /** {@code proxy_on_done(context_id) -> bool}. */
  ON_DONE("proxy_on_done", 1, 1, Kind.PLUGIN),
  /** {@code proxy_on_log(context_id)}. */
  ON_LOG("proxy_on_log", 1, 0, Kind.PLUGIN),
  /** {@code proxy_on_delete(context_id)}. */
  ON_DELETE("proxy_on_delete", 1, 0, Kind.PLUGIN);

  /** What the host uses an export for. */
  public enum Kind {
    /** A start function, called once while the module starts. */
    START,
    /** An allocator the host calls to copy data into the module. */
    ALLOCATOR,
    /** A callback the host calls on a plugin's contexts. */
    PLUGIN,
    /**
     * A callback the host fetches, as cpp-host does, but never calls: a plugin that exports it with
     * another signature still fails to load.
     */
    UNCALLED
  }

  private final String exportName;
  private final FunctionType type;
  private final Set<AbiVersion> versions;
  private final Kind kind;

  Callback(String exportName, int params, int results, Kind kind) {
    this(exportName, FunctionType.i32(params, results), EnumSet.allOf(AbiVersion.class), kind);
  }

  Callback(String exportName, FunctionType type, Set<AbiVersion> versions, Kind kind) {
    this.exportName = exportName;
    this.type = type;
    this.versions = Collections.unmodifiableSet(versions);
    this.kind = kind;
  }

  /**
   * Returns the export name.
   *
   * @return for example {@code proxy_on_request_headers}
   */
  public String exportName() {
    return exportName;
  }

  /**
   * Returns the signature the host requires.
   *
   * @return the signature
   */
  public FunctionType type() {
    return type;
  }

  /**
   * Returns the ABI versions the host looks for this export in.
   *
   * @return the versions, unmodifiable
   */
  public Set<AbiVersion> versions() {
    return versions;
  }

  /**
   * Tells whether the host looks for this export in a module of an ABI version.
   *
   * @param version the module's version
   * @return true if it does
   */
  public boolean usedBy(AbiVersion version) {
    return versions.contains(version);
  }

  /**
   * Returns what the host uses the export for.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Tells whether capability restriction can hide this export: every callback, never the start
   * functions and allocators.
   *
   * @return true if {@code allowed_capabilities} names it
   */
  public boolean restrictable() {
    return kind == Kind.PLUGIN || kind == Kind.UNCALLED;
  }

  /**
   * Returns the export a module of an ABI version must have under a name, if the host uses one.
   *
   * @param version the module's version
   * @param exportName the export name
   * @return the callback, or empty when the host does not use that name in that version
   */
  public static Optional<Callback> of(AbiVersion version, String exportName) {
    for (Callback c : values()) {
      if (c.exportName.equals(exportName) && c.usedBy(version)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
   * Returns the exports the host uses in a module of an ABI version, in catalogue order.
   *
   * @param version the module's version
   * @return the callbacks
   */
  public static List<Callback> of(AbiVersion version) {
    List<Callback> out = new ArrayList<>();
    for (Callback c : values()) {
      if (c.usedBy(version)) {
        out.add(c);
      }
    }
    return List.copyOf(out);
  }

  /**
   * Returns the export as a runtime lists it.
   *
   * @return the name and signature
   */
  public FunctionExport asExport() {
    return new FunctionExport(exportName, type);
  }
}

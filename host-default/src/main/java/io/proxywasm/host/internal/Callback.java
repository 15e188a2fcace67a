package io.proxywasm.host.internal;

import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.FunctionType;
import java.util.EnumSet;
import java.util.Set;

/**
 * Every export the host fetches from a module, with its signature and the ABI versions using it.
 */
enum Callback {
  INITIALIZE("_initialize", 0, 0),
  START("_start", 0, 0),
  MAIN("main", 2, 1),
  MAIN_VOID("__main_void", 0, 1),
  MALLOC("malloc", 1, 1),
  ON_MEMORY_ALLOCATE("proxy_on_memory_allocate", 1, 1),
  ON_CONTEXT_CREATE("proxy_on_context_create", 2, 0),
  ON_VM_START("proxy_on_vm_start", 2, 1),
  VALIDATE_CONFIGURATION("proxy_validate_configuration", 2, 1),
  ON_CONFIGURE("proxy_on_configure", 2, 1),
  ON_TICK("proxy_on_tick", 1, 0),
  ON_QUEUE_READY("proxy_on_queue_ready", 2, 0),
  ON_FOREIGN_FUNCTION(
      "proxy_on_foreign_function", 3, 0, EnumSet.of(AbiVersion.V0_2_0, AbiVersion.V0_2_1)),
  ON_NEW_CONNECTION("proxy_on_new_connection", 1, 1),
  ON_DOWNSTREAM_DATA("proxy_on_downstream_data", 3, 1),
  ON_UPSTREAM_DATA("proxy_on_upstream_data", 3, 1),
  ON_DOWNSTREAM_CONNECTION_CLOSE("proxy_on_downstream_connection_close", 2, 0),
  ON_UPSTREAM_CONNECTION_CLOSE("proxy_on_upstream_connection_close", 2, 0),
  ON_REQUEST_HEADERS_0_1_0("proxy_on_request_headers", 2, 1, EnumSet.of(AbiVersion.V0_1_0)),
  ON_REQUEST_HEADERS(
      "proxy_on_request_headers", 3, 1, EnumSet.of(AbiVersion.V0_2_0, AbiVersion.V0_2_1)),
  ON_REQUEST_BODY("proxy_on_request_body", 3, 1),
  ON_REQUEST_TRAILERS("proxy_on_request_trailers", 2, 1),
  ON_REQUEST_METADATA("proxy_on_request_metadata", 2, 1),
  ON_RESPONSE_HEADERS_0_1_0("proxy_on_response_headers", 2, 1, EnumSet.of(AbiVersion.V0_1_0)),
  ON_RESPONSE_HEADERS(
      "proxy_on_response_headers", 3, 1, EnumSet.of(AbiVersion.V0_2_0, AbiVersion.V0_2_1)),
  ON_RESPONSE_BODY("proxy_on_response_body", 3, 1),
  ON_RESPONSE_TRAILERS("proxy_on_response_trailers", 2, 1),
  ON_RESPONSE_METADATA("proxy_on_response_metadata", 2, 1),
  ON_HTTP_CALL_RESPONSE("proxy_on_http_call_response", 5, 0),
  ON_GRPC_RECEIVE_INITIAL_METADATA("proxy_on_grpc_receive_initial_metadata", 3, 0),
  ON_GRPC_RECEIVE("proxy_on_grpc_receive", 3, 0),
  ON_GRPC_RECEIVE_TRAILING_METADATA("proxy_on_grpc_receive_trailing_metadata", 3, 0),
  ON_GRPC_CLOSE("proxy_on_grpc_close", 3, 0),
  ON_DONE("proxy_on_done", 1, 1),
  ON_LOG("proxy_on_log", 1, 0),
  ON_DELETE("proxy_on_delete", 1, 0);

  private final String exportName;
  private final FunctionType type;
  private final Set<AbiVersion> versions;

  Callback(String exportName, int params, int results) {
    this(exportName, params, results, EnumSet.allOf(AbiVersion.class));
  }

  Callback(String exportName, int params, int results, Set<AbiVersion> versions) {
    this.exportName = exportName;
    this.type = FunctionType.i32(params, results);
    this.versions = versions;
  }

  String exportName() {
    return exportName;
  }

  FunctionType type() {
    return type;
  }

  boolean usedBy(AbiVersion version) {
    return versions.contains(version);
  }

  /** Whether capability restriction can hide this export (start and allocator functions never). */
  boolean restrictable() {
    return exportName.startsWith("proxy_on_") && !exportName.equals("proxy_on_memory_allocate")
        || exportName.equals("proxy_validate_configuration");
  }
}

package io.proxywasm.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The ABI catalogue against proxy-wasm-cpp-host: the tables below are transcribed from its host
 * function registrations ({@code WasmBase::registerCallbacks}, one row per {@code env} import) and
 * the exports it fetches ({@code WasmBase::getFunctions}), with their signatures and the ABI
 * versions each exists in.
 */
class AbiCatalogueTest {

  /** Name, wasm signature and versions of every {@code env} import cpp-host registers. */
  private static final String HOST_CALLS =
      """
        proxy_log (i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_get_log_level (i32) -> (i32) 0.2.1
        proxy_get_status (i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_get_configuration (i32,i32) -> (i32) 0.1.0
        proxy_set_property (i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_get_property (i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_continue_request () -> (i32) 0.1.0
        proxy_continue_response () -> (i32) 0.1.0
        proxy_clear_route_cache () -> (i32) 0.1.0
        proxy_continue_stream (i32) -> (i32) 0.2.0 0.2.1
        proxy_close_stream (i32) -> (i32) 0.2.0 0.2.1
        proxy_send_local_response (i32,i32,i32,i32,i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_get_shared_data (i32,i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_set_shared_data (i32,i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_register_shared_queue (i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_resolve_shared_queue (i32,i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_dequeue_shared_queue (i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_enqueue_shared_queue (i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_get_header_map_value (i32,i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_add_header_map_value (i32,i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_replace_header_map_value (i32,i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_remove_header_map_value (i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_get_header_map_pairs (i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_set_header_map_pairs (i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_get_header_map_size (i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_get_buffer_status (i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_get_buffer_bytes (i32,i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_set_buffer_bytes (i32,i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_http_call (i32,i32,i32,i32,i32,i32,i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_grpc_call (i32,i32,i32,i32,i32,i32,i32,i32,i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_grpc_stream (i32,i32,i32,i32,i32,i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_grpc_cancel (i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_grpc_close (i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_grpc_send (i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_set_tick_period_milliseconds (i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_get_current_time_nanoseconds (i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_define_metric (i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_increment_metric (i32,i64) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_record_metric (i32,i64) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_get_metric (i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_set_effective_context (i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_done () -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_call_foreign_function (i32,i32,i32,i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        pthread_equal (i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        emscripten_notify_memory_growth (i32) -> () 0.1.0 0.2.0 0.2.1
      """;

  /** Name, signature and versions of every export cpp-host fetches. */
  private static final String CALLBACKS =
      """
        _initialize () -> () 0.1.0 0.2.0 0.2.1
        _start () -> () 0.1.0 0.2.0 0.2.1
        main (i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        __main_void () -> (i32) 0.1.0 0.2.0 0.2.1
        malloc (i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_on_memory_allocate (i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_on_context_create (i32,i32) -> () 0.1.0 0.2.0 0.2.1
        proxy_on_vm_start (i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_validate_configuration (i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_on_configure (i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_on_tick (i32) -> () 0.1.0 0.2.0 0.2.1
        proxy_on_queue_ready (i32,i32) -> () 0.1.0 0.2.0 0.2.1
        proxy_on_foreign_function (i32,i32,i32) -> () 0.2.0 0.2.1
        proxy_on_new_connection (i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_on_downstream_data (i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_on_upstream_data (i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_on_downstream_connection_close (i32,i32) -> () 0.1.0 0.2.0 0.2.1
        proxy_on_upstream_connection_close (i32,i32) -> () 0.1.0 0.2.0 0.2.1
        proxy_on_request_headers (i32,i32) -> (i32) 0.1.0
        proxy_on_request_headers (i32,i32,i32) -> (i32) 0.2.0 0.2.1
        proxy_on_request_body (i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_on_request_trailers (i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_on_request_metadata (i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_on_response_headers (i32,i32) -> (i32) 0.1.0
        proxy_on_response_headers (i32,i32,i32) -> (i32) 0.2.0 0.2.1
        proxy_on_response_body (i32,i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_on_response_trailers (i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_on_response_metadata (i32,i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_on_http_call_response (i32,i32,i32,i32,i32) -> () 0.1.0 0.2.0 0.2.1
        proxy_on_grpc_receive_initial_metadata (i32,i32,i32) -> () 0.1.0 0.2.0 0.2.1
        proxy_on_grpc_receive (i32,i32,i32) -> () 0.1.0 0.2.0 0.2.1
        proxy_on_grpc_receive_trailing_metadata (i32,i32,i32) -> () 0.1.0 0.2.0 0.2.1
        proxy_on_grpc_close (i32,i32,i32) -> () 0.1.0 0.2.0 0.2.1
        proxy_on_done (i32) -> (i32) 0.1.0 0.2.0 0.2.1
        proxy_on_log (i32) -> () 0.1.0 0.2.0 0.2.1
        proxy_on_delete (i32) -> () 0.1.0 0.2.0 0.2.1
      """;

  private static String row(String name, FunctionType type, Set<AbiVersion> versions) {
    return name
        + " ("
        + type.params().stream().map(t -> t.name().toLowerCase()).collect(Collectors.joining(","))
        + ") -> ("
        + type.results().stream().map(t -> t.name().toLowerCase()).collect(Collectors.joining(","))
        + ") "
        + Arrays.stream(AbiVersion.values())
            .filter(versions::contains)
            .map(AbiVersion::toString)
            .collect(Collectors.joining(" "));
  }

  private static List<String> expected(String table) {
    return table.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  @Test
  void hostCallsAreTheReferenceImports() {
    List<String> actual =
        Arrays.stream(HostCall.values())
            .map(c -> row(c.abiName(), c.type(), c.versions()))
            .toList();
    assertEquals(expected(HOST_CALLS), actual);
  }

  @Test
  void callbacksAreTheReferenceExports() {
    List<String> actual =
        Arrays.stream(Callback.values())
            .map(c -> row(c.exportName(), c.type(), c.versions()))
            .toList();
    assertEquals(expected(CALLBACKS), actual);
  }

  @Test
  void everyVersionOffersAsManyImportsAsCppHost() {
    // 36 common calls, the version's own, and the two Emscripten helpers
    assertEquals(42, HostCall.of(AbiVersion.V0_1_0).size());
    assertEquals(40, HostCall.of(AbiVersion.V0_2_0).size());
    assertEquals(41, HostCall.of(AbiVersion.V0_2_1).size());
  }

  @Test
  void restrictionSparesOnlyTheEmscriptenHelpersAndTheModulesOwnFunctions() {
    for (HostCall c : HostCall.values()) {
      assertEquals(c.abiName().startsWith("proxy_"), c.restrictable(), c.abiName());
    }
    Set<String> spared =
        Arrays.stream(Callback.values())
            .filter(c -> !c.restrictable())
            .map(Callback::exportName)
            .collect(Collectors.toSet());
    assertEquals(
        Set.of(
            "_initialize", "_start", "main", "__main_void", "malloc", "proxy_on_memory_allocate"),
        spared);
  }

  @Test
  void restrictedPhasesAllowWhatCppHostAllows() {
    Set<String> starting =
        Arrays.stream(HostCall.values())
            .filter(HostCall::allowedWhileStarting)
            .map(HostCall::abiName)
            .collect(Collectors.toSet());
    assertEquals(Set.of("proxy_log", "emscripten_notify_memory_growth"), starting);
    Set<String> allocator =
        Arrays.stream(HostCall.values())
            .filter(HostCall::allowedInAllocator)
            .map(HostCall::abiName)
            .collect(Collectors.toSet());
    assertEquals(Set.of("proxy_log"), allocator);
  }

  @Test
  void namesLookUpTheirEntries() {
    for (HostCall c : HostCall.values()) {
      assertEquals(Optional.of(c), HostCall.byName(c.abiName()));
      assertEquals(HostCall.MODULE, c.asImport().module());
    }
    assertEquals(Optional.empty(), HostCall.byName("proxy_on_log"));
    assertEquals(
        Optional.of(Callback.ON_REQUEST_HEADERS_0_1_0),
        Callback.of(AbiVersion.V0_1_0, "proxy_on_request_headers"));
    assertEquals(
        Optional.of(Callback.ON_REQUEST_HEADERS),
        Callback.of(AbiVersion.V0_2_1, "proxy_on_request_headers"));
    assertEquals(Optional.empty(), Callback.of(AbiVersion.V0_1_0, "proxy_on_foreign_function"));
    assertTrue(Callback.of(AbiVersion.V0_2_0).contains(Callback.ON_FOREIGN_FUNCTION));
    assertFalse(Callback.of(AbiVersion.V0_2_0).contains(Callback.ON_REQUEST_HEADERS_0_1_0));
  }
}

package io.proxywasm.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The host side of the proxy-wasm ABI with Java types instead of pointers: what a runtime that runs
 * plugins written in Java (see {@link VmCapability#JAVA_PLUGINS}) calls where a wasm module would
 * import an {@code env.proxy_*} function. Each method behaves as the host function it is named
 * after, for the VM's current effective context, with the same status codes, the same capability
 * restrictions and the same effects; only the copying through linear memory is gone.
 *
 * <p>A host offers it through {@link WasmVm#registerHostAbi(HostAbi)}. Calls are valid only while
 * the host is calling into the VM (a callback is running), on the calling thread.
 *
 * <p>Every method has a default that answers as a host without that function does, as
 * proxy-wasm-cpp-host's {@code ContextBase} does: {@link WasmResult#UNIMPLEMENTED} where the answer
 * carries a status, nothing found where it does not. An implementation overrides the functions it
 * has, grouped as {@link HostCall.Group} groups them; the names are in {@link HostCall}.
 */
public interface HostAbi {

  /**
   * {@code proxy_log}.
   *
   * @param level the level
   * @param message the message
   * @return {@code OK}
   */
  default WasmResult log(LogLevel level, String message) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_get_log_level}.
   *
   * @return the plugin's current log level; by default {@code TRACE}, so that a plugin drops no
   *     line itself and {@link #log} decides
   */
  default LogLevel logLevel() {
    return LogLevel.TRACE;
  }

  /**
   * {@code proxy_get_status}: the status of the callout whose result is being delivered.
   *
   * @return the gRPC status code and message; by default {@code UNIMPLEMENTED}
   */
  default Map.Entry<Integer, String> status() {
    return Map.entry(GrpcStatus.UNIMPLEMENTED.code(), "unimplemented");
  }

  /**
   * {@code proxy_get_property}.
   *
   * @param path the property path, one element per segment
   * @return the value, or empty when there is none ({@code NotFound})
   */
  default Optional<byte[]> property(List<String> path) {
    return Optional.empty();
  }

  /**
   * {@code proxy_set_property}.
   *
   * @param path the property path
   * @param value the value
   * @return the status
   */
  default WasmResult setProperty(List<String> path, byte[] value) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_continue_stream}: resumes a paused stream after the callback returns.
   *
   * @param type the direction
   * @return {@code OK}, or {@code NotFound} outside a stream context
   */
  default WasmResult continueStream(StreamType type) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_close_stream}.
   *
   * @param type the direction
   * @return {@code OK}, or {@code NotFound} outside a stream context
   */
  default WasmResult closeStream(StreamType type) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_send_local_response}.
   *
   * @param statusCode the HTTP status
   * @param details the response code details
   * @param body the body
   * @param headers the headers
   * @param grpcStatus the gRPC status, or -1 for none
   * @return the status
   */
  default WasmResult sendLocalResponse(
      int statusCode, String details, byte[] body, List<Header> headers, int grpcStatus) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_get_shared_data}.
   *
   * @param key the key
   * @return the value and its CAS, or {@code NotFound}
   */
  default HostResult<SharedDataValue> sharedData(String key) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }

  /**
   * {@code proxy_set_shared_data}.
   *
   * @param key the key
   * @param value the value
   * @param cas the CAS the caller read, or 0 to write unconditionally
   * @return {@code OK} or {@code CasMismatch}
   */
  default WasmResult setSharedData(String key, byte[] value, int cas) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_register_shared_queue}.
   *
   * @param name the queue name in the VM's vm_id
   * @return the token
   */
  default HostResult<Integer> registerSharedQueue(String name) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }

  /**
   * {@code proxy_resolve_shared_queue}.
   *
   * @param vmId the vm_id the queue belongs to; empty for the VM's own
   * @param name the queue name
   * @return the token, or {@code NotFound}
   */
  default HostResult<Integer> resolveSharedQueue(String vmId, String name) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }

  /**
   * {@code proxy_dequeue_shared_queue}.
   *
   * @param token the queue
   * @return the item, {@code Empty} or {@code NotFound}
   */
  default HostResult<byte[]> dequeueSharedQueue(int token) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }

  /**
   * {@code proxy_enqueue_shared_queue}.
   *
   * @param token the queue
   * @param data the item
   * @return the status
   */
  default WasmResult enqueueSharedQueue(int token, byte[] data) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_get_header_map_value}.
   *
   * @param type the map
   * @param key the header name
   * @return the value, or the status: {@code NotFound} for a missing header, {@code BadArgument}
   *     when the map is not available now
   */
  default HostResult<String> headerMapValue(HeaderMapType type, String key) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }

  /**
   * {@code proxy_add_header_map_value}.
   *
   * @param type the map
   * @param key the header name
   * @param value the value
   * @return {@code OK} or {@code NotFound} when the context has no such map
   */
  default WasmResult addHeaderMapValue(HeaderMapType type, String key, String value) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_replace_header_map_value}.
   *
   * @param type the map
   * @param key the header name
   * @param value the value
   * @return {@code OK} or {@code NotFound}
   */
  default WasmResult replaceHeaderMapValue(HeaderMapType type, String key, String value) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_remove_header_map_value}.
   *
   * @param type the map
   * @param key the header name
   * @return {@code OK} or {@code NotFound}
   */
  default WasmResult removeHeaderMapValue(HeaderMapType type, String key) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_get_header_map_pairs}.
   *
   * @param type the map
   * @return a copy of the entries in order, or {@code NotFound}
   */
  default HostResult<List<Header>> headerMapPairs(HeaderMapType type) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }

  /**
   * {@code proxy_set_header_map_pairs}: replaces the whole map.
   *
   * @param type the map
   * @param pairs the new entries
   * @return {@code OK} or {@code NotFound}
   */
  default WasmResult setHeaderMapPairs(HeaderMapType type, List<Header> pairs) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_get_header_map_size}.
   *
   * @param type the map
   * @return the size of the map in bytes, as the ABI counts it, or empty for {@code NotFound}
   */
  default OptionalLong headerMapSize(HeaderMapType type) {
    return OptionalLong.empty();
  }

  /**
   * {@code proxy_get_buffer_status}.
   *
   * @param type the buffer
   * @return its length, or empty for {@code NotFound}
   */
  default OptionalLong bufferLength(BufferType type) {
    return OptionalLong.empty();
  }

  /**
   * {@code proxy_get_buffer_bytes}.
   *
   * @param type the buffer
   * @param start the first byte
   * @param length the most bytes to return
   * @return the bytes (fewer at the end of the buffer), or {@code NotFound}
   */
  default HostResult<byte[]> bufferBytes(BufferType type, long start, long length) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }

  /**
   * {@code proxy_set_buffer_bytes}: replaces {@code length} bytes at {@code start}.
   *
   * @param type the buffer
   * @param start the first byte replaced
   * @param length how many bytes are replaced
   * @param data the new bytes
   * @return the status
   */
  default WasmResult setBufferBytes(BufferType type, long start, long length, byte[] data) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_http_call}.
   *
   * @param upstream the cluster
   * @param headers the request headers
   * @param body the request body
   * @param trailers the request trailers
   * @param timeout the timeout
   * @return the token, or the failure status
   */
  default HostResult<Integer> httpCall(
      String upstream, List<Header> headers, byte[] body, List<Header> trailers, Duration timeout) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }

  /**
   * {@code proxy_grpc_call}.
   *
   * @param service the serialised GrpcService, or its cluster name
   * @param serviceName the gRPC service
   * @param method the method
   * @param metadata the initial metadata
   * @param message the request message
   * @param timeout the timeout
   * @return the token, or the failure status
   */
  default HostResult<Integer> grpcCall(
      byte[] service,
      String serviceName,
      String method,
      List<Header> metadata,
      byte[] message,
      Duration timeout) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }

  /**
   * {@code proxy_grpc_stream}.
   *
   * @param service the serialised GrpcService, or its cluster name
   * @param serviceName the gRPC service
   * @param method the method
   * @param metadata the initial metadata
   * @return the token, or the failure status
   */
  default HostResult<Integer> grpcStream(
      byte[] service, String serviceName, String method, List<Header> metadata) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }

  /**
   * {@code proxy_grpc_send}.
   *
   * @param token the stream
   * @param message the message
   * @param endOfStream whether this is the last message
   * @return the status
   */
  default WasmResult grpcSend(int token, byte[] message, boolean endOfStream) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_grpc_cancel}.
   *
   * @param token the call or stream
   * @return the status
   */
  default WasmResult grpcCancel(int token) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_grpc_close}.
   *
   * @param token the call or stream
   * @return the status
   */
  default WasmResult grpcClose(int token) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_set_tick_period_milliseconds}.
   *
   * @param period the period; zero stops ticks
   * @return {@code OK}
   */
  default WasmResult setTickPeriod(Duration period) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_get_current_time_nanoseconds}.
   *
   * @return nanoseconds since the epoch, from the host's clock; by default the system clock
   */
  default long currentTimeNanos() {
    return System.currentTimeMillis() * 1_000_000L;
  }

  /**
   * {@code proxy_define_metric}.
   *
   * @param type the metric type
   * @param name the name
   * @return the metric id
   */
  default HostResult<Integer> defineMetric(MetricType type, String name) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }

  /**
   * {@code proxy_increment_metric}.
   *
   * @param id the metric
   * @param offset the amount, may be negative for gauges
   * @return the status
   */
  default WasmResult incrementMetric(int id, long offset) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_record_metric}.
   *
   * @param id the metric
   * @param value the value
   * @return the status
   */
  default WasmResult recordMetric(int id, long value) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_get_metric}.
   *
   * @param id the metric
   * @return its value, or the failure status
   */
  default HostResult<Long> metric(int id) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }

  /**
   * {@code proxy_set_effective_context}.
   *
   * @param contextId the context later calls act for
   * @return {@code OK} or {@code BadArgument} for an unknown context
   */
  default WasmResult setEffectiveContext(int contextId) {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_done}: a root context that answered false from {@code proxy_on_done} is done.
   *
   * @return {@code OK} or {@code NotFound}
   */
  default WasmResult done() {
    return WasmResult.UNIMPLEMENTED;
  }

  /**
   * {@code proxy_call_foreign_function}.
   *
   * @param name the function
   * @param arguments its argument bytes
   * @return the result bytes, or the failure status
   */
  default HostResult<byte[]> callForeignFunction(String name, byte[] arguments) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }
}

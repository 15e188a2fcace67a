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
 */
public interface HostAbi {

  /**
   * {@code proxy_log}.
   *
   * @param level the level
   * @param message the message
   * @return {@code OK}
   */
  WasmResult log(LogLevel level, String message);

  /**
   * {@code proxy_get_log_level}.
   *
   * @return the plugin's current log level
   */
  LogLevel logLevel();

  /**
   * {@code proxy_get_status}: the status of the callout whose result is being delivered.
   *
   * @return the gRPC status code and message
   */
  Map.Entry<Integer, String> status();

  /**
   * {@code proxy_get_property}.
   *
   * @param path the property path, one element per segment
   * @return the value, or empty when there is none ({@code NotFound})
   */
  Optional<byte[]> property(List<String> path);

  /**
   * {@code proxy_set_property}.
   *
   * @param path the property path
   * @param value the value
   * @return the status
   */
  WasmResult setProperty(List<String> path, byte[] value);

  /**
   * {@code proxy_continue_stream}: resumes a paused stream after the callback returns.
   *
   * @param type the direction
   * @return {@code OK}, or {@code NotFound} outside a stream context
   */
  WasmResult continueStream(StreamType type);

  /**
   * {@code proxy_close_stream}.
   *
   * @param type the direction
   * @return {@code OK}, or {@code NotFound} outside a stream context
   */
  WasmResult closeStream(StreamType type);

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
  WasmResult sendLocalResponse(
      int statusCode,
      String details,
      byte[] body,
      List<Map.Entry<String, String>> headers,
      int grpcStatus);

  /**
   * {@code proxy_get_shared_data}.
   *
   * @param key the key
   * @return the value and its CAS, or {@code NotFound}
   */
  HostResult<SharedDataValue> sharedData(String key);

  /**
   * {@code proxy_set_shared_data}.
   *
   * @param key the key
   * @param value the value
   * @param cas the CAS the caller read, or 0 to write unconditionally
   * @return {@code OK} or {@code CasMismatch}
   */
  WasmResult setSharedData(String key, byte[] value, int cas);

  /**
   * {@code proxy_register_shared_queue}.
   *
   * @param name the queue name in the VM's vm_id
   * @return the token
   */
  HostResult<Integer> registerSharedQueue(String name);

  /**
   * {@code proxy_resolve_shared_queue}.
   *
   * @param vmId the vm_id the queue belongs to; empty for the VM's own
   * @param name the queue name
   * @return the token, or {@code NotFound}
   */
  HostResult<Integer> resolveSharedQueue(String vmId, String name);

  /**
   * {@code proxy_dequeue_shared_queue}.
   *
   * @param token the queue
   * @return the item, {@code Empty} or {@code NotFound}
   */
  HostResult<byte[]> dequeueSharedQueue(int token);

  /**
   * {@code proxy_enqueue_shared_queue}.
   *
   * @param token the queue
   * @param data the item
   * @return the status
   */
  WasmResult enqueueSharedQueue(int token, byte[] data);

  /**
   * {@code proxy_get_header_map_value}.
   *
   * @param type the map
   * @param key the header name
   * @return the value, or the status: {@code NotFound} for a missing header, {@code BadArgument}
   *     when the map is not available now
   */
  HostResult<String> headerMapValue(HeaderMapType type, String key);

  /**
   * {@code proxy_add_header_map_value}.
   *
   * @param type the map
   * @param key the header name
   * @param value the value
   * @return {@code OK} or {@code NotFound} when the context has no such map
   */
  WasmResult addHeaderMapValue(HeaderMapType type, String key, String value);

  /**
   * {@code proxy_replace_header_map_value}.
   *
   * @param type the map
   * @param key the header name
   * @param value the value
   * @return {@code OK} or {@code NotFound}
   */
  WasmResult replaceHeaderMapValue(HeaderMapType type, String key, String value);

  /**
   * {@code proxy_remove_header_map_value}.
   *
   * @param type the map
   * @param key the header name
   * @return {@code OK} or {@code NotFound}
   */
  WasmResult removeHeaderMapValue(HeaderMapType type, String key);

  /**
   * {@code proxy_get_header_map_pairs}.
   *
   * @param type the map
   * @return a copy of the entries in order, or {@code NotFound}
   */
  HostResult<List<Map.Entry<String, String>>> headerMapPairs(HeaderMapType type);

  /**
   * {@code proxy_set_header_map_pairs}: replaces the whole map.
   *
   * @param type the map
   * @param pairs the new entries
   * @return {@code OK} or {@code NotFound}
   */
  WasmResult setHeaderMapPairs(HeaderMapType type, List<Map.Entry<String, String>> pairs);

  /**
   * {@code proxy_get_header_map_size}.
   *
   * @param type the map
   * @return the size of the map in bytes, as the ABI counts it, or empty for {@code NotFound}
   */
  OptionalLong headerMapSize(HeaderMapType type);

  /**
   * {@code proxy_get_buffer_status}.
   *
   * @param type the buffer
   * @return its length, or empty for {@code NotFound}
   */
  OptionalLong bufferLength(BufferType type);

  /**
   * {@code proxy_get_buffer_bytes}.
   *
   * @param type the buffer
   * @param start the first byte
   * @param length the most bytes to return
   * @return the bytes (fewer at the end of the buffer), or {@code NotFound}
   */
  HostResult<byte[]> bufferBytes(BufferType type, long start, long length);

  /**
   * {@code proxy_set_buffer_bytes}: replaces {@code length} bytes at {@code start}.
   *
   * @param type the buffer
   * @param start the first byte replaced
   * @param length how many bytes are replaced
   * @param data the new bytes
   * @return the status
   */
  WasmResult setBufferBytes(BufferType type, long start, long length, byte[] data);

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
  HostResult<Integer> httpCall(
      String upstream,
      List<Map.Entry<String, String>> headers,
      byte[] body,
      List<Map.Entry<String, String>> trailers,
      Duration timeout);

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
  HostResult<Integer> grpcCall(
      byte[] service,
      String serviceName,
      String method,
      List<Map.Entry<String, String>> metadata,
      byte[] message,
      Duration timeout);

  /**
   * {@code proxy_grpc_stream}.
   *
   * @param service the serialised GrpcService, or its cluster name
   * @param serviceName the gRPC service
   * @param method the method
   * @param metadata the initial metadata
   * @return the token, or the failure status
   */
  HostResult<Integer> grpcStream(
      byte[] service, String serviceName, String method, List<Map.Entry<String, String>> metadata);

  /**
   * {@code proxy_grpc_send}.
   *
   * @param token the stream
   * @param message the message
   * @param endOfStream whether this is the last message
   * @return the status
   */
  WasmResult grpcSend(int token, byte[] message, boolean endOfStream);

  /**
   * {@code proxy_grpc_cancel}.
   *
   * @param token the call or stream
   * @return the status
   */
  WasmResult grpcCancel(int token);

  /**
   * {@code proxy_grpc_close}.
   *
   * @param token the call or stream
   * @return the status
   */
  WasmResult grpcClose(int token);

  /**
   * {@code proxy_set_tick_period_milliseconds}.
   *
   * @param period the period; zero stops ticks
   * @return {@code OK}
   */
  WasmResult setTickPeriod(Duration period);

  /**
   * {@code proxy_get_current_time_nanoseconds}.
   *
   * @return nanoseconds since the epoch, from the host's clock
   */
  long currentTimeNanos();

  /**
   * {@code proxy_define_metric}.
   *
   * @param type the metric type
   * @param name the name
   * @return the metric id
   */
  HostResult<Integer> defineMetric(MetricType type, String name);

  /**
   * {@code proxy_increment_metric}.
   *
   * @param id the metric
   * @param offset the amount, may be negative for gauges
   * @return the status
   */
  WasmResult incrementMetric(int id, long offset);

  /**
   * {@code proxy_record_metric}.
   *
   * @param id the metric
   * @param value the value
   * @return the status
   */
  WasmResult recordMetric(int id, long value);

  /**
   * {@code proxy_get_metric}.
   *
   * @param id the metric
   * @return its value, or the failure status
   */
  HostResult<Long> metric(int id);

  /**
   * {@code proxy_set_effective_context}.
   *
   * @param contextId the context later calls act for
   * @return {@code OK} or {@code BadArgument} for an unknown context
   */
  WasmResult setEffectiveContext(int contextId);

  /**
   * {@code proxy_done}: a root context that answered false from {@code proxy_on_done} is done.
   *
   * @return {@code OK} or {@code NotFound}
   */
  WasmResult done();

  /**
   * {@code proxy_call_foreign_function}.
   *
   * @param name the function
   * @param arguments its argument bytes
   * @return the result bytes, or the failure status
   */
  HostResult<byte[]> callForeignFunction(String name, byte[] arguments);
}

package io.proxywasm.sdk;

import io.proxywasm.sdk.engine.Binder;
import io.proxywasm.sdk.engine.PluginHost;
import io.proxywasm.spi.BufferType;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.HeaderMapType;
import io.proxywasm.spi.HostAbi;
import io.proxywasm.spi.HostCall;
import io.proxywasm.spi.HostResult;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.SharedDataValue;
import io.proxywasm.spi.WasmResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What every context of a Java plugin can do: log, read and write properties and shared data, use
 * shared queues and metrics, make HTTP and gRPC callouts and receive their results, call foreign
 * functions. Subclass {@link RootContext}, {@link HttpContext} or {@link StreamContext}.
 *
 * <p>Host calls are available from the context's first callback on (not in its constructor) and
 * only on the thread the host is calling the plugin on. A call made on a context other than the one
 * whose callback is running acts for that context, as {@code proxy_set_effective_context} would: a
 * root context can resume an HTTP stream it paused.
 */
public abstract class Context {
  static {
    Binder.access(Context::bind);
  }

  private PluginHost engine;
  private int id;

  /** Creates an unbound context; the VM binds it before its first callback. */
  protected Context() {}

  private static void bind(Context context, PluginHost engine, int id) {
    context.engine = engine;
    context.id = id;
  }

  /**
   * Returns the host ABI with this context made the effective one.
   *
   * @return the host
   */
  final HostAbi host() {
    PluginHost e = engine;
    if (e == null) {
      throw new IllegalStateException(
          getClass().getName()
              + " is not bound to a VM yet: host calls are available from the first callback on,"
              + " not in constructors");
    }
    return e.hostFor(id);
  }

  final PluginHost dispatcher() {
    return engine;
  }

  static void check(HostCall call, WasmResult result) {
    if (result != WasmResult.OK) {
      throw new HostCallException(call.abiName(), result);
    }
  }

  static <T> T value(HostCall call, HostResult<T> result) {
    if (!result.isOk()) {
      throw new HostCallException(call.abiName(), result.status());
    }
    return result.value();
  }

  /**
   * Returns the id the host gave this context.
   *
   * @return the context id, 0 before the context is bound
   */
  public final int contextId() {
    return id;
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /**
   * {@code proxy_on_done}: the host is done with this context.
   *
   * @return true when the context is done now; a root context may answer false and call {@link
   *     RootContext#done()} later
   */
  public boolean onDone() {
    return true;
  }

  /** {@code proxy_on_log}: the stream is over; access logging reads what it needs here. */
  public void onLog() {}

  /** {@code proxy_on_delete}: the context is gone; no host calls after this. */
  public void onDelete() {}

  // ---- logging --------------------------------------------------------------------------------

  /**
   * Logs a message at a level ({@code proxy_log}).
   *
   * @param level the level
   * @param message the message
   */
  public final void log(LogLevel level, String message) {
    host().log(level, message);
  }

  /**
   * Logs at trace level.
   *
   * @param message the message
   */
  public final void logTrace(String message) {
    log(LogLevel.TRACE, message);
  }

  /**
   * Logs at debug level.
   *
   * @param message the message
   */
  public final void logDebug(String message) {
    log(LogLevel.DEBUG, message);
  }

  /**
   * Logs at info level.
   *
   * @param message the message
   */
  public final void logInfo(String message) {
    log(LogLevel.INFO, message);
  }

  /**
   * Logs at warn level.
   *
   * @param message the message
   */
  public final void logWarn(String message) {
    log(LogLevel.WARN, message);
  }

  /**
   * Logs at error level.
   *
   * @param message the message
   */
  public final void logError(String message) {
    log(LogLevel.ERROR, message);
  }

  /**
   * Returns the plugin's current log level ({@code proxy_get_log_level}).
   *
   * @return the level below which logs are dropped
   */
  public final LogLevel logLevel() {
    return host().logLevel();
  }

  // ---- properties and time --------------------------------------------------------------------

  /**
   * Reads a property ({@code proxy_get_property}), for example {@code property("request", "path")}.
   *
   * @param path the path segments
   * @return the raw value, or empty when there is none
   */
  public final Optional<byte[]> property(String... path) {
    return host().property(List.of(path));
  }

  /**
   * Reads a property as UTF-8 text.
   *
   * @param path the path segments
   * @return the text, or empty when there is none
   */
  public final Optional<String> propertyString(String... path) {
    return property(path).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  /**
   * Writes a property ({@code proxy_set_property}).
   *
   * @param value the value
   * @param path the path segments
   * @throws HostCallException when the host refuses
   */
  public final void setProperty(byte[] value, String... path) {
    check(HostCall.SET_PROPERTY, host().setProperty(List.of(path), value));
  }

  /**
   * Returns the host's wall-clock time ({@code proxy_get_current_time_nanoseconds}).
   *
   * @return the current time
   */
  public final Instant currentTime() {
    long nanos = host().currentTimeNanos();
    return Instant.ofEpochSecond(0, nanos);
  }

  // ---- shared data ----------------------------------------------------------------------------

  /**
   * Reads shared data of this VM's vm_id ({@code proxy_get_shared_data}).
   *
   * @param key the key
   * @return the value with its CAS, or empty when the key is absent
   */
  public final Optional<SharedDataValue> sharedData(String key) {
    HostResult<SharedDataValue> r = host().sharedData(key);
    if (r.status() == WasmResult.NOT_FOUND) {
      return Optional.empty();
    }
    return Optional.of(value(HostCall.GET_SHARED_DATA, r));
  }

  /**
   * Writes shared data ({@code proxy_set_shared_data}).
   *
   * @param key the key
   * @param value the value
   * @param cas the CAS from {@link #sharedData}, or 0 to write unconditionally
   * @return true when written, false on a CAS mismatch
   * @throws HostCallException on any other failure
   */
  public final boolean setSharedData(String key, byte[] value, int cas) {
    WasmResult r = host().setSharedData(key, value, cas);
    if (r == WasmResult.CAS_MISMATCH) {
      return false;
    }
    check(HostCall.SET_SHARED_DATA, r);
    return true;
  }

  // ---- shared queues --------------------------------------------------------------------------

  /**
   * Registers a shared queue of this VM's vm_id, delivered to this context's root context with
   * {@link RootContext#onQueueReady(int)} ({@code proxy_register_shared_queue}).
   *
   * @param name the queue name
   * @return the queue token
   */
  public final int registerSharedQueue(String name) {
    return value(HostCall.REGISTER_SHARED_QUEUE, host().registerSharedQueue(name));
  }

  /**
   * Finds a queue by vm_id and name ({@code proxy_resolve_shared_queue}).
   *
   * @param vmId the vm_id the queue belongs to; empty for this VM's
   * @param name the queue name
   * @return the token, or empty when no such queue is registered
   */
  public final OptionalInt resolveSharedQueue(String vmId, String name) {
    HostResult<Integer> r = host().resolveSharedQueue(vmId, name);
    if (r.status() == WasmResult.NOT_FOUND) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(value(HostCall.RESOLVE_SHARED_QUEUE, r));
  }

  /**
   * Takes the oldest item of a queue ({@code proxy_dequeue_shared_queue}).
   *
   * @param token the queue
   * @return the item, or empty when the queue is empty
   * @throws HostCallException when the queue does not exist
   */
  public final Optional<byte[]> dequeueSharedQueue(int token) {
    HostResult<byte[]> r = host().dequeueSharedQueue(token);
    if (r.status() == WasmResult.EMPTY) {
      return Optional.empty();
    }
    return Optional.of(value(HostCall.DEQUEUE_SHARED_QUEUE, r));
  }

  /**
   * Appends an item to a queue ({@code proxy_enqueue_shared_queue}).
   *
   * @param token the queue
   * @param data the item
   * @throws HostCallException when the queue does not exist
   */
  public final void enqueueSharedQueue(int token, byte[] data) {
    check(HostCall.ENQUEUE_SHARED_QUEUE, host().enqueueSharedQueue(token, data));
  }

  // ---- metrics --------------------------------------------------------------------------------

  /**
   * Defines a counter ({@code proxy_define_metric}); defining a name again returns the same metric.
   *
   * @param name the metric name
   * @return the counter
   */
  public final Counter defineCounter(String name) {
    return new Counter(dispatcher(), defineMetric(MetricType.COUNTER, name));
  }

  /**
   * Defines a gauge.
   *
   * @param name the metric name
   * @return the gauge
   */
  public final Gauge defineGauge(String name) {
    return new Gauge(dispatcher(), defineMetric(MetricType.GAUGE, name));
  }

  /**
   * Defines a histogram.
   *
   * @param name the metric name
   * @return the histogram
   */
  public final Histogram defineHistogram(String name) {
    return new Histogram(dispatcher(), defineMetric(MetricType.HISTOGRAM, name));
  }

  private int defineMetric(MetricType type, String name) {
    return value(HostCall.DEFINE_METRIC, host().defineMetric(type, name));
  }

  // ---- HTTP callouts --------------------------------------------------------------------------

  /**
   * Sends an HTTP request to an upstream ({@code proxy_http_call}); the answer arrives at this
   * context's {@link #onHttpCallResponse}.
   *
   * @param upstream the cluster
   * @param headers the request headers, with {@code :method}, {@code :path} and {@code :authority}
   * @param body the request body
   * @param trailers the request trailers
   * @param timeout how long to wait for the answer
   * @return the call's token
   * @throws HostCallException when the host refuses the call (for example an unknown upstream)
   */
  public final int dispatchHttpCall(
      String upstream, List<Header> headers, byte[] body, List<Header> trailers, Duration timeout) {
    int token =
        value(HostCall.HTTP_CALL, host().httpCall(upstream, headers, body, trailers, timeout));
    dispatcher().calloutFrom(token, id);
    return token;
  }

  /**
   * The answer to an HTTP call this context made ({@code proxy_on_http_call_response}). Read it
   * with {@link #httpCallResponseHeaders()}, {@link #httpCallResponseBody()} and {@link
   * #httpCallResponseTrailers()}. A call that failed or timed out arrives with no headers.
   *
   * @param token the call's token
   * @param headers the number of response headers, 0 when the call failed
   * @param bodySize the body size in bytes
   * @param trailers the number of trailers
   */
  public void onHttpCallResponse(int token, int headers, int bodySize, int trailers) {}

  /**
   * Returns the headers of the HTTP call response being delivered.
   *
   * @return the headers in order; empty when the call failed
   */
  public final List<Header> httpCallResponseHeaders() {
    return pairs(HeaderMapType.HTTP_CALL_RESPONSE_HEADERS);
  }

  /**
   * Returns the body of the HTTP call response being delivered.
   *
   * @return the body; empty when there is none
   */
  public final byte[] httpCallResponseBody() {
    return buffer(BufferType.HTTP_CALL_RESPONSE_BODY);
  }

  /**
   * Returns the trailers of the HTTP call response being delivered.
   *
   * @return the trailers in order
   */
  public final List<Header> httpCallResponseTrailers() {
    return pairs(HeaderMapType.HTTP_CALL_RESPONSE_TRAILERS);
  }

  // ---- gRPC callouts --------------------------------------------------------------------------

  /**
   * Makes a unary gRPC call ({@code proxy_grpc_call}). Its outcome arrives at this context once, as
   * Envoy delivers it: the answer's message at {@link #onGrpcReceive} (success; no close follows),
   * or a failure at {@link #onGrpcClose} with its status; a call receives no metadata.
   *
   * @param cluster the upstream cluster
   * @param service the gRPC service, for example {@code helloworld.Greeter}
   * @param method the method
   * @param metadata the initial metadata
   * @param message the serialised request message
   * @param timeout how long to wait
   * @return the call's token
   * @throws HostCallException when the host refuses the call
   */
  public final int dispatchGrpcCall(
      String cluster,
      String service,
      String method,
      List<Header> metadata,
      byte[] message,
      Duration timeout) {
    int token =
        value(
            HostCall.GRPC_CALL,
            host()
                .grpcCall(
                    cluster.getBytes(StandardCharsets.UTF_8),
                    service,
                    method,
                    metadata,
                    message,
                    timeout));
    dispatcher().calloutFrom(token, id);
    return token;
  }

  /**
   * Opens a gRPC stream ({@code proxy_grpc_stream}).
   *
   * @param cluster the upstream cluster
   * @param service the gRPC service
   * @param method the method
   * @param metadata the initial metadata
   * @return the stream's token
   * @throws HostCallException when the host refuses
   */
  public final int openGrpcStream(
      String cluster, String service, String method, List<Header> metadata) {
    int token =
        value(
            HostCall.GRPC_STREAM,
            host().grpcStream(cluster.getBytes(StandardCharsets.UTF_8), service, method, metadata));
    dispatcher().calloutFrom(token, id);
    return token;
  }

  /**
   * Sends a message on a gRPC stream ({@code proxy_grpc_send}).
   *
   * @param token the stream
   * @param message the serialised message
   * @param endOfStream whether it is the last
   * @throws HostCallException when the stream is unknown or closed
   */
  public final void sendGrpcMessage(int token, byte[] message, boolean endOfStream) {
    check(HostCall.GRPC_SEND, host().grpcSend(token, message, endOfStream));
  }

  /**
   * Cancels a gRPC call or stream ({@code proxy_grpc_cancel}); no more callbacks arrive for it.
   *
   * @param token the call or stream
   * @throws HostCallException when it is unknown
   */
  public final void cancelGrpc(int token) {
    check(HostCall.GRPC_CANCEL, host().grpcCancel(token));
  }

  /**
   * Half-closes a gRPC stream ({@code proxy_grpc_close}).
   *
   * @param token the stream
   * @throws HostCallException when it is unknown
   */
  public final void closeGrpc(int token) {
    check(HostCall.GRPC_CLOSE, host().grpcClose(token));
  }

  /**
   * Initial metadata of a gRPC stream arrived; read it with {@link #grpcInitialMetadata()}.
   *
   * @param token the call
   * @param elements the number of entries
   */
  public void onGrpcReceiveInitialMetadata(int token, int elements) {}

  /**
   * A message of a gRPC stream arrived, or a unary call's answer (which ends the call); read it
   * with {@link #grpcMessage()}.
   *
   * @param token the call
   * @param size the message size in bytes
   */
  public void onGrpcReceive(int token, int size) {}

  /**
   * Trailing metadata arrived; read it with {@link #grpcTrailingMetadata()}.
   *
   * @param token the call
   * @param elements the number of entries
   */
  public void onGrpcReceiveTrailingMetadata(int token, int elements) {}

  /**
   * A gRPC stream closed, or a unary call failed; {@link #grpcStatus()} has the message.
   *
   * @param token the call
   * @param statusCode the gRPC status code
   */
  public void onGrpcClose(int token, int statusCode) {}

  /**
   * Returns the gRPC message being delivered.
   *
   * @return the serialised message
   */
  public final byte[] grpcMessage() {
    return buffer(BufferType.GRPC_RECEIVE_BUFFER);
  }

  /**
   * Returns the initial metadata being delivered.
   *
   * @return the entries
   */
  public final List<Header> grpcInitialMetadata() {
    return pairs(HeaderMapType.GRPC_RECEIVE_INITIAL_METADATA);
  }

  /**
   * Returns the trailing metadata being delivered.
   *
   * @return the entries
   */
  public final List<Header> grpcTrailingMetadata() {
    return pairs(HeaderMapType.GRPC_RECEIVE_TRAILING_METADATA);
  }

  /**
   * Returns the status of the callout whose result is being delivered ({@code proxy_get_status}).
   *
   * @return the gRPC status code and message
   */
  public final Map.Entry<Integer, String> grpcStatus() {
    return host().status();
  }

  // ---- foreign functions ----------------------------------------------------------------------

  /**
   * Calls a function the host offers by name ({@code proxy_call_foreign_function}).
   *
   * @param name the function
   * @param arguments its argument bytes
   * @return its result bytes
   * @throws HostCallException when there is no such function or it fails
   */
  public final byte[] callForeignFunction(String name, byte[] arguments) {
    return value(HostCall.CALL_FOREIGN_FUNCTION, host().callForeignFunction(name, arguments));
  }

  // ---- helpers --------------------------------------------------------------------------------

  final List<Header> pairs(HeaderMapType type) {
    HostResult<List<Header>> r = host().headerMapPairs(type);
    if (r.status() == WasmResult.NOT_FOUND) {
      return List.of();
    }
    return value(HostCall.GET_HEADER_MAP_PAIRS, r);
  }

  final byte[] buffer(BufferType type) {
    HostResult<byte[]> r = host().bufferBytes(type, 0, Integer.MAX_VALUE);
    if (r.status() == WasmResult.NOT_FOUND) {
      return new byte[0];
    }
    return value(HostCall.GET_BUFFER_BYTES, r);
  }
}

package io.proxywasm.benchmarks;

import io.proxywasm.spi.BufferType;
import io.proxywasm.spi.HeaderMapType;
import io.proxywasm.spi.HostAbi;
import io.proxywasm.spi.HostResult;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.SharedDataValue;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.WasmResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The least a host can do for the http-headers plugin: fixed request and response headers, logs
 * dropped below INFO, everything else refused. The baseline of {@link JavaPluginBenchmark}.
 */
final class MinimalHost implements HostAbi {
  private final List<Map.Entry<String, String>> request;
  private final List<Map.Entry<String, String>> response;

  MinimalHost(List<Map.Entry<String, String>> request, List<Map.Entry<String, String>> response) {
    this.request = request;
    this.response = response;
  }

  private List<Map.Entry<String, String>> map(HeaderMapType type) {
    return type == HeaderMapType.REQUEST_HEADERS ? request : response;
  }

  @Override
  public WasmResult log(LogLevel level, String message) {
    return WasmResult.OK;
  }

  @Override
  public LogLevel logLevel() {
    return LogLevel.INFO;
  }

  @Override
  public Map.Entry<Integer, String> status() {
    return Map.entry(0, "");
  }

  @Override
  public Optional<byte[]> property(List<String> path) {
    return Optional.empty();
  }

  @Override
  public WasmResult setProperty(List<String> path, byte[] value) {
    return WasmResult.UNIMPLEMENTED;
  }

  @Override
  public WasmResult continueStream(StreamType type) {
    return WasmResult.OK;
  }

  @Override
  public WasmResult closeStream(StreamType type) {
    return WasmResult.OK;
  }

  @Override
  public WasmResult sendLocalResponse(
      int statusCode,
      String details,
      byte[] body,
      List<Map.Entry<String, String>> headers,
      int grpcStatus) {
    return WasmResult.OK;
  }

  @Override
  public HostResult<SharedDataValue> sharedData(String key) {
    return HostResult.failed(WasmResult.NOT_FOUND);
  }

  @Override
  public WasmResult setSharedData(String key, byte[] value, int cas) {
    return WasmResult.UNIMPLEMENTED;
  }

  @Override
  public HostResult<Integer> registerSharedQueue(String name) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }

  @Override
  public HostResult<Integer> resolveSharedQueue(String vmId, String name) {
    return HostResult.failed(WasmResult.NOT_FOUND);
  }

  @Override
  public HostResult<byte[]> dequeueSharedQueue(int token) {
    return HostResult.failed(WasmResult.NOT_FOUND);
  }

  @Override
  public WasmResult enqueueSharedQueue(int token, byte[] data) {
    return WasmResult.NOT_FOUND;
  }

  @Override
  public HostResult<String> headerMapValue(HeaderMapType type, String key) {
    for (Map.Entry<String, String> e : map(type)) {
      if (e.getKey().equals(key)) {
        return HostResult.ok(e.getValue());
      }
    }
    return HostResult.failed(WasmResult.NOT_FOUND);
  }

  @Override
  public WasmResult addHeaderMapValue(HeaderMapType type, String key, String value) {
    return WasmResult.UNIMPLEMENTED;
  }

  @Override
  public WasmResult replaceHeaderMapValue(HeaderMapType type, String key, String value) {
    return WasmResult.UNIMPLEMENTED;
  }

  @Override
  public WasmResult removeHeaderMapValue(HeaderMapType type, String key) {
    return WasmResult.UNIMPLEMENTED;
  }

  @Override
  public HostResult<List<Map.Entry<String, String>>> headerMapPairs(HeaderMapType type) {
    return HostResult.ok(map(type));
  }

  @Override
  public WasmResult setHeaderMapPairs(HeaderMapType type, List<Map.Entry<String, String>> pairs) {
    return WasmResult.UNIMPLEMENTED;
  }

  @Override
  public OptionalLong headerMapSize(HeaderMapType type) {
    return OptionalLong.of(map(type).size());
  }

  @Override
  public OptionalLong bufferLength(BufferType type) {
    return OptionalLong.empty();
  }

  @Override
  public HostResult<byte[]> bufferBytes(BufferType type, long start, long length) {
    return HostResult.failed(WasmResult.NOT_FOUND);
  }

  @Override
  public WasmResult setBufferBytes(BufferType type, long start, long length, byte[] data) {
    return WasmResult.NOT_FOUND;
  }

  @Override
  public HostResult<Integer> httpCall(
      String upstream,
      List<Map.Entry<String, String>> headers,
      byte[] body,
      List<Map.Entry<String, String>> trailers,
      Duration timeout) {
    return HostResult.failed(WasmResult.BAD_ARGUMENT);
  }

  @Override
  public HostResult<Integer> grpcCall(
      byte[] service,
      String serviceName,
      String method,
      List<Map.Entry<String, String>> metadata,
      byte[] message,
      Duration timeout) {
    return HostResult.failed(WasmResult.BAD_ARGUMENT);
  }

  @Override
  public HostResult<Integer> grpcStream(
      byte[] service, String serviceName, String method, List<Map.Entry<String, String>> metadata) {
    return HostResult.failed(WasmResult.BAD_ARGUMENT);
  }

  @Override
  public WasmResult grpcSend(int token, byte[] message, boolean endOfStream) {
    return WasmResult.NOT_FOUND;
  }

  @Override
  public WasmResult grpcCancel(int token) {
    return WasmResult.NOT_FOUND;
  }

  @Override
  public WasmResult grpcClose(int token) {
    return WasmResult.NOT_FOUND;
  }

  @Override
  public WasmResult setTickPeriod(Duration period) {
    return WasmResult.OK;
  }

  @Override
  public long currentTimeNanos() {
    return System.currentTimeMillis() * 1_000_000L;
  }

  @Override
  public HostResult<Integer> defineMetric(MetricType type, String name) {
    return HostResult.failed(WasmResult.UNIMPLEMENTED);
  }

  @Override
  public WasmResult incrementMetric(int id, long offset) {
    return WasmResult.NOT_FOUND;
  }

  @Override
  public WasmResult recordMetric(int id, long value) {
    return WasmResult.NOT_FOUND;
  }

  @Override
  public HostResult<Long> metric(int id) {
    return HostResult.failed(WasmResult.NOT_FOUND);
  }

  @Override
  public WasmResult setEffectiveContext(int contextId) {
    return WasmResult.OK;
  }

  @Override
  public WasmResult done() {
    return WasmResult.NOT_FOUND;
  }

  @Override
  public HostResult<byte[]> callForeignFunction(String name, byte[] arguments) {
    return HostResult.failed(WasmResult.NOT_FOUND);
  }
}

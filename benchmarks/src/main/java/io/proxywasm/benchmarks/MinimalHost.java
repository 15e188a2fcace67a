package io.proxywasm.benchmarks;

import io.proxywasm.spi.Header;
import io.proxywasm.spi.HeaderMapType;
import io.proxywasm.spi.HostAbi;
import io.proxywasm.spi.HostResult;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.WasmResult;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * The least a host can do for the http-headers plugin: fixed request and response headers, logs
 * dropped below INFO, streams continued and local replies taken; every other host function answers
 * {@code Unimplemented} (the defaults of {@link HostAbi}). The baseline of {@link
 * JavaPluginBenchmark}.
 */
final class MinimalHost implements HostAbi {
  private final List<Header> request;
  private final List<Header> response;

  MinimalHost(List<Header> request, List<Header> response) {
    this.request = request;
    this.response = response;
  }

  private List<Header> map(HeaderMapType type) {
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
  public WasmResult continueStream(StreamType type) {
    return WasmResult.OK;
  }

  @Override
  public WasmResult closeStream(StreamType type) {
    return WasmResult.OK;
  }

  @Override
  public WasmResult sendLocalResponse(
      int statusCode, String details, byte[] body, List<Header> headers, int grpcStatus) {
    return WasmResult.OK;
  }

  @Override
  public WasmResult setTickPeriod(Duration period) {
    return WasmResult.OK;
  }

  @Override
  public HostResult<String> headerMapValue(HeaderMapType type, String key) {
    for (Header e : map(type)) {
      if (e.name().equals(key)) {
        return HostResult.ok(e.value());
      }
    }
    return HostResult.failed(WasmResult.NOT_FOUND);
  }

  @Override
  public HostResult<List<Header>> headerMapPairs(HeaderMapType type) {
    return HostResult.ok(map(type));
  }

  @Override
  public OptionalLong headerMapSize(HeaderMapType type) {
    return OptionalLong.of(map(type).size());
  }

  @Override
  public WasmResult setEffectiveContext(int contextId) {
    return WasmResult.OK;
  }
}

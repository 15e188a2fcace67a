package io.proxywasm.envoy.internal;

import com.google.auto.service.AutoService;
import io.proxywasm.envoy.Slf4jEventSink;
import io.proxywasm.envoy.WasmStatsSink;
import io.proxywasm.envoy.WasmStatsSinkProvider;

/** The sink {@code slf4j}: lifecycle events to SLF4J. */
@AutoService(WasmStatsSinkProvider.class)
public final class Slf4jEventSinkProvider implements WasmStatsSinkProvider {
  /** Creates the provider; ServiceLoader does this. */
  public Slf4jEventSinkProvider() {}

  @Override
  public String name() {
    return "slf4j";
  }

  @Override
  public WasmStatsSink create() {
    return new Slf4jEventSink();
  }
}

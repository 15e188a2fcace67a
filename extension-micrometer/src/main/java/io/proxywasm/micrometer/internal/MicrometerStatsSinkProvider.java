package io.proxywasm.micrometer.internal;

import com.google.auto.service.AutoService;
import io.micrometer.core.instrument.Metrics;
import io.proxywasm.envoy.WasmStatsSink;
import io.proxywasm.envoy.WasmStatsSinkProvider;
import io.proxywasm.micrometer.MicrometerStatsSink;

/** The sink {@code micrometer}: stats in Micrometer's global registry. */
@AutoService(WasmStatsSinkProvider.class)
public final class MicrometerStatsSinkProvider implements WasmStatsSinkProvider {
  /** Creates the provider; ServiceLoader does this. */
  public MicrometerStatsSinkProvider() {}

  @Override
  public String name() {
    return "micrometer";
  }

  @Override
  public WasmStatsSink create() {
    return new MicrometerStatsSink(Metrics.globalRegistry);
  }
}

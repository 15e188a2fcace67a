package io.proxywasm.envoy;

import io.proxywasm.spi.Metric;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;

/**
 * Where {@link EnvoyWasmExtension} sends what it sees, besides its own {@link StatsRegistry}: a
 * logger, a metrics library, a test. Methods are called on the thread that raised the event or
 * changed the stat, possibly concurrently; a sink must be thread-safe and quick, and an exception
 * from it is logged and otherwise ignored.
 *
 * <p>Register one with ServiceLoader through a {@link WasmStatsSinkProvider}, or hand it to {@link
 * EnvoyWasmExtension.Builder#sink}.
 */
public interface WasmStatsSink {

  /**
   * A lifecycle event happened.
   *
   * @param event the event
   * @param plugin the plugin it concerns
   * @param message details
   */
  default void onEvent(WasmEvent event, PluginInfo plugin, String message) {}

  /**
   * A stat was created. Counters and gauges are live: read {@link Metric#value()} whenever needed
   * (a metrics library polls it); histograms arrive value by value at {@link #onHistogramValue}.
   *
   * @param stat the stat, with its Envoy name
   */
  default void onStatCreated(Metric stat) {}

  /**
   * A value was recorded in a histogram.
   *
   * @param stat the histogram
   * @param value the value
   */
  default void onHistogramValue(Metric stat, long value) {}
}

package io.proxywasm.envoy;

import io.proxywasm.spi.Metric;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A sink that records what it gets. */
final class RecordingSink implements WasmStatsSink {
  final List<WasmEvent> events = new CopyOnWriteArrayList<>();
  final List<String> messages = new CopyOnWriteArrayList<>();
  final List<String> stats = new CopyOnWriteArrayList<>();
  final List<Long> histogramValues = new CopyOnWriteArrayList<>();

  @Override
  public void onEvent(WasmEvent event, PluginInfo plugin, String message) {
    events.add(event);
    messages.add(message);
  }

  @Override
  public void onStatCreated(Metric stat) {
    stats.add(stat.name());
  }

  @Override
  public void onHistogramValue(Metric stat, long value) {
    histogramValues.add(value);
  }
}

package io.proxywasm.testkit;

import io.proxywasm.host.InMemoryExtension;
import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmExtension;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A {@link WasmExtension} that keeps every lifecycle event and metric, under the names plugins give
 * them. Thread-safe.
 */
public final class RecordingExtension implements WasmExtension {
  /**
   * One lifecycle event.
   *
   * @param event what happened
   * @param plugin the plugin it concerns
   * @param message the details
   */
  public record Event(WasmEvent event, PluginInfo plugin, String message) {}

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final InMemoryExtension metrics = new InMemoryExtension();

  /** Creates an empty extension. */
  public RecordingExtension() {}

  @Override
  public void onEvent(WasmEvent event, PluginInfo plugin, String message) {
    events.add(new Event(event, plugin, message));
  }

  @Override
  public Metric pluginMetric(MetricType type, String name, PluginInfo plugin) {
    return metrics.pluginMetric(type, name, plugin);
  }

  @Override
  public Metric hostMetric(MetricType type, String name) {
    return metrics.hostMetric(type, name);
  }

  /**
   * Returns every event, oldest first.
   *
   * @return a snapshot
   */
  public List<Event> events() {
    return List.copyOf(events);
  }

  /**
   * Returns the events of one kind.
   *
   * @param kind the kind
   * @return a snapshot, oldest first
   */
  public List<Event> events(WasmEvent kind) {
    return events.stream().filter(e -> e.event() == kind).collect(Collectors.toList());
  }

  /**
   * Returns a metric's value: a counter's or gauge's value, a histogram's last recorded value.
   *
   * @param name the name the plugin gave
   * @return the value, or empty if no such metric was defined
   */
  public OptionalLong metric(String name) {
    return metrics.metric(name).map(m -> OptionalLong.of(m.value())).orElse(OptionalLong.empty());
  }

  /**
   * A metric and its value.
   *
   * @param name the name the plugin gave
   * @param type the type
   * @param value a counter's or gauge's value, a histogram's last recorded value
   */
  public record MetricValue(String name, MetricType type, long value) {}

  /**
   * Returns every metric with its type and value, in name order.
   *
   * @return a snapshot
   */
  public List<MetricValue> metricValues() {
    return metrics.metrics().stream()
        .map(m -> new MetricValue(m.name(), m.type(), m.value()))
        .collect(Collectors.toList());
  }
}

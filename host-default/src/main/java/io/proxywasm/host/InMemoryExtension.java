package io.proxywasm.host;

import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmExtension;
import io.proxywasm.spi.support.InMemoryMetric;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Metrics kept in memory under the names plugins give them, events ignored: the extension a host
 * uses when none is installed, and the metrics store of the test kit. Each metric is an {@link
 * InMemoryMetric}, with Envoy's semantics (a histogram keeps its count and sum). Thread-safe.
 */
public final class InMemoryExtension implements WasmExtension {
  private final Map<String, InMemoryMetric> metrics = new ConcurrentHashMap<>();

  /** Creates an empty extension. */
  public InMemoryExtension() {}

  /**
   * Returns every metric, in name order.
   *
   * @return the metrics
   */
  public java.util.List<Metric> metrics() {
    java.util.List<Metric> out = new java.util.ArrayList<>(metrics.values());
    out.sort(java.util.Comparator.comparing(Metric::name));
    return out;
  }

  /**
   * Finds a metric by name, whatever its type.
   *
   * @param name the name
   * @return the metric, or empty
   */
  public java.util.Optional<Metric> metric(String name) {
    return metrics.values().stream()
        .filter(m -> m.name().equals(name))
        .<Metric>map(m -> m)
        .findFirst();
  }

  @Override
  public Metric pluginMetric(MetricType type, String name, PluginInfo plugin) {
    return hostMetric(type, name);
  }

  @Override
  public Metric hostMetric(MetricType type, String name) {
    return metrics.computeIfAbsent(type + ":" + name, k -> new InMemoryMetric(type, name));
  }

  /**
   * Returns the sum of the values recorded in a histogram (its {@link Metric#value()} is how many
   * were recorded), as Envoy's histograms and the Envoy extension's registry keep them.
   *
   * @param name the name
   * @return the sum, or empty when no histogram has that name
   */
  public OptionalLong histogramSum(String name) {
    return metric(name)
        .filter(m -> m.type() == MetricType.HISTOGRAM)
        .map(m -> OptionalLong.of(((InMemoryMetric) m).sum()))
        .orElse(OptionalLong.empty());
  }
}

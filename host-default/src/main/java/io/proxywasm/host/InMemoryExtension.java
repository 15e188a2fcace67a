package io.proxywasm.host;

import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmExtension;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Metrics kept in memory under the names plugins give them, events ignored: the extension a host
 * uses when none is installed, and the metrics store of the test kit. Thread-safe.
 */
public final class InMemoryExtension implements WasmExtension {
  private final Map<String, SimpleMetric> metrics = new ConcurrentHashMap<>();

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
    return metrics.computeIfAbsent(type + ":" + name, k -> new SimpleMetric(type, name));
  }

  /** A thread-safe metric in memory; a histogram keeps the last recorded value. */
  private static final class SimpleMetric implements Metric {
    private final MetricType type;
    private final String name;
    private final AtomicLong value = new AtomicLong();

    SimpleMetric(MetricType type, String name) {
      this.type = type;
      this.name = name;
    }

    @Override
    public MetricType type() {
      return type;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void add(long delta) {
      value.addAndGet(delta);
    }

    @Override
    public void set(long v) {
      value.set(v);
    }

    @Override
    public void record(long v) {
      value.set(v);
    }

    @Override
    public long value() {
      return value.get();
    }
  }
}

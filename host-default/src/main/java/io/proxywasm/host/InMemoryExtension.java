package io.proxywasm.host;

import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmExtension;
import java.util.Map;
import java.util.OptionalLong;
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

  /**
   * Returns the sum of the values recorded in a histogram (its {@link Metric#value()} is how many
   * were recorded), as Envoy's histograms and the Envoy extension's registry keep them.
   *
   * @param name the name
   * @return the sum, or empty when no histogram has that name
   */
  public OptionalLong histogramSum(String name) {
    return metric(name)
        .filter(m -> m instanceof SimpleMetric s && s.type == MetricType.HISTOGRAM)
        .map(m -> OptionalLong.of(((SimpleMetric) m).sum.get()))
        .orElse(OptionalLong.empty());
  }

  /**
   * A thread-safe metric in memory. A histogram keeps, as Envoy's do, the number of values recorded
   * (its value) and their sum; a plugin cannot read it back ({@code proxy_get_metric} answers
   * {@code BadArgument}).
   */
  private static final class SimpleMetric implements Metric {
    private final MetricType type;
    private final String name;
    private final AtomicLong value = new AtomicLong();
    private final AtomicLong sum = new AtomicLong();

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
      if (type == MetricType.HISTOGRAM) {
        record(delta);
      } else {
        value.addAndGet(delta);
      }
    }

    @Override
    public void set(long v) {
      if (type == MetricType.HISTOGRAM) {
        record(v);
      } else {
        value.set(v);
      }
    }

    @Override
    public void record(long v) {
      if (type != MetricType.HISTOGRAM) {
        value.set(v);
        return;
      }
      value.incrementAndGet();
      sum.addAndGet(v);
    }

    @Override
    public long value() {
      return value.get();
    }
  }
}

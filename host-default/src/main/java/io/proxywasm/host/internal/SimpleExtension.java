package io.proxywasm.host.internal;

import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmExtension;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The extension a host uses when none is installed: metrics kept in memory under the names plugins
 * give them, events ignored.
 */
public final class SimpleExtension implements WasmExtension {
  private final Map<String, SimpleMetric> metrics = new ConcurrentHashMap<>();

  /** Creates an empty extension. */
  public SimpleExtension() {}

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

package io.proxywasm.gateway;

import io.proxywasm.envoy.StatsRegistry;
import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import java.util.List;

/** The gateway's stats and the plugins' stats, in one registry, by their Envoy names. */
final class Stats {
  private final StatsRegistry registry;

  Stats(StatsRegistry registry) {
    this.registry = registry;
  }

  Metric stat(MetricType type, String name) {
    return registry.stat(type, name);
  }

  /**
   * The counters of responses by status class, as Envoy names them: {@code <prefix>1xx} to {@code
   * <prefix>5xx}, at the index of their class.
   */
  Metric[] byStatusClass(String prefix) {
    Metric[] m = new Metric[6];
    for (int c = 1; c <= 5; c++) {
      m[c] = stat(MetricType.COUNTER, prefix + c + "xx");
    }
    return m;
  }

  List<Metric> all() {
    return registry.stats();
  }

  long sum(String name) {
    return registry.histogramSum(name).orElse(0);
  }
}

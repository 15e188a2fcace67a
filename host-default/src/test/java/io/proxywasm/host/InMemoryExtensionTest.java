package io.proxywasm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PluginInfo;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The in-memory metrics keep Envoy's semantics, as the Envoy extension's registry does: a histogram
 * keeps how many values it recorded and their sum, not the last value.
 */
class InMemoryExtensionTest {
  private final InMemoryExtension metrics = new InMemoryExtension();
  private final PluginInfo plugin = new PluginInfo("p", "", "", "chicory");

  @Test
  void aHistogramKeepsItsCountAndSum() {
    Metric h = metrics.pluginMetric(MetricType.HISTOGRAM, "latency", plugin);
    h.record(3);
    h.record(5);
    assertEquals(2, metrics.metric("latency").orElseThrow().value());
    assertEquals(OptionalLong.of(8), metrics.histogramSum("latency"));
  }

  @Test
  void countersAddAndGaugesSet() {
    Metric c = metrics.pluginMetric(MetricType.COUNTER, "requests", plugin);
    c.add(2);
    c.add(3);
    Metric g = metrics.pluginMetric(MetricType.GAUGE, "queued", plugin);
    g.set(7);
    g.add(-2);
    assertEquals(5, metrics.metric("requests").orElseThrow().value());
    assertEquals(5, metrics.metric("queued").orElseThrow().value());
    assertEquals(OptionalLong.empty(), metrics.histogramSum("requests"), "not a histogram");
    assertEquals(OptionalLong.empty(), metrics.histogramSum("nothing"));
  }
}

package io.proxywasm.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryMetricTest {
  @Test
  void aCounterAddsAndAGaugeIsSet() {
    InMemoryMetric counter = new InMemoryMetric(MetricType.COUNTER, "requests");
    counter.add(2);
    counter.add(3);
    assertEquals(5, counter.value());
    InMemoryMetric gauge = new InMemoryMetric(MetricType.GAUGE, "active");
    gauge.set(7);
    gauge.add(-2);
    assertEquals(5, gauge.value());
    gauge.record(9); // a value recorded in a gauge sets it
    assertEquals(9, gauge.value());
    assertEquals(0, gauge.sum());
    assertEquals("active (GAUGE) = 9", gauge.toString());
  }

  @Test
  void aHistogramKeepsItsCountAndSumAndTellsTheListener() {
    List<String> told = new ArrayList<>();
    Metric[] seen = new Metric[1];
    InMemoryMetric h =
        new InMemoryMetric(
            MetricType.HISTOGRAM,
            "latency",
            (metric, value) -> {
              seen[0] = metric;
              told.add(metric.name() + "=" + value);
            });
    h.record(10);
    h.add(20); // added or set, a histogram records
    h.set(30);
    assertEquals(3, h.value());
    assertEquals(60, h.sum());
    assertEquals(List.of("latency=10", "latency=20", "latency=30"), told);
    assertSame(h, seen[0]);
  }
}

package io.proxywasm.envoy;

import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.support.InMemoryMetric;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.ObjLongConsumer;

/**
 * The stats of an {@link EnvoyWasmExtension}, in memory, by their Envoy names: queryable by tests,
 * the command line and admin endpoints. Thread-safe. A name has one type; asking for it with
 * another type is an error naming both. Each stat is an {@link InMemoryMetric}, with Envoy's
 * semantics.
 */
public final class StatsRegistry {
  private final ConcurrentHashMap<String, InMemoryMetric> stats = new ConcurrentHashMap<>();
  private final Consumer<Metric> onCreated;

  /** Receives histogram values. */
  private final ObjLongConsumer<Metric> onHistogram;

  StatsRegistry(Consumer<Metric> onCreated, ObjLongConsumer<Metric> onHistogram) {
    this.onCreated = onCreated;
    this.onHistogram = onHistogram;
  }

  /**
   * Returns the stat of a name, creating it.
   *
   * @param type its type
   * @param name its Envoy name
   * @return the stat
   * @throws IllegalArgumentException if the name exists with another type
   */
  public Metric stat(MetricType type, String name) {
    InMemoryMetric existing = stats.get(name);
    if (existing == null) {
      InMemoryMetric created = new InMemoryMetric(type, name, onHistogram);
      existing = stats.putIfAbsent(name, created);
      if (existing == null) {
        onCreated.accept(created);
        return created;
      }
    }
    if (existing.type() != type) {
      throw new IllegalArgumentException(
          "stat " + name + " is a " + existing.type() + ", not a " + type);
    }
    return existing;
  }

  /**
   * Returns a stat by name.
   *
   * @param name the Envoy name
   * @return the stat, or empty when none has been created
   */
  public Optional<Metric> find(String name) {
    return Optional.ofNullable(stats.get(name));
  }

  /**
   * Returns the value of a counter or gauge, or the count of a histogram.
   *
   * @param name the Envoy name
   * @return the value, or empty when no such stat exists
   */
  public OptionalLong value(String name) {
    InMemoryMetric s = stats.get(name);
    return s == null ? OptionalLong.empty() : OptionalLong.of(s.value());
  }

  /**
   * Returns the sum of the values recorded in a histogram.
   *
   * @param name the Envoy name
   * @return the sum, or empty when no such histogram exists
   */
  public OptionalLong histogramSum(String name) {
    InMemoryMetric s = stats.get(name);
    return s == null || s.type() != MetricType.HISTOGRAM
        ? OptionalLong.empty()
        : OptionalLong.of(s.sum());
  }

  /**
   * Returns every stat, in name order.
   *
   * @return the stats
   */
  public List<Metric> stats() {
    List<Metric> out = new ArrayList<>(stats.values());
    out.sort(Comparator.comparing(Metric::name));
    return out;
  }
}

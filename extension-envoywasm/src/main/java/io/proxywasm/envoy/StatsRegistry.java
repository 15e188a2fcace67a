package io.proxywasm.envoy;

import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The stats of an {@link EnvoyWasmExtension}, in memory, by their Envoy names: queryable by tests,
 * the command line and admin endpoints. Thread-safe. A name has one type; asking for it with
 * another type is an error naming both.
 */
public final class StatsRegistry {
  private final ConcurrentHashMap<String, Stat> stats = new ConcurrentHashMap<>();
  private final Consumer<Metric> onCreated;
  private final HistogramListener onHistogram;

  /** Receives histogram values. */
  @FunctionalInterface
  interface HistogramListener {
    void record(Metric stat, long value);
  }

  StatsRegistry(Consumer<Metric> onCreated, HistogramListener onHistogram) {
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
    Stat existing = stats.get(name);
    if (existing == null) {
      Stat created = new Stat(type, name);
      existing = stats.putIfAbsent(name, created);
      if (existing == null) {
        onCreated.accept(created);
        return created;
      }
    }
    if (existing.type != type) {
      throw new IllegalArgumentException(
          "stat " + name + " is a " + existing.type + ", not a " + type);
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
    Stat s = stats.get(name);
    return s == null ? OptionalLong.empty() : OptionalLong.of(s.value());
  }

  /**
   * Returns the sum of the values recorded in a histogram.
   *
   * @param name the Envoy name
   * @return the sum, or empty when no such histogram exists
   */
  public OptionalLong histogramSum(String name) {
    Stat s = stats.get(name);
    return s == null || s.type != MetricType.HISTOGRAM
        ? OptionalLong.empty()
        : OptionalLong.of(s.sum.get());
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

  /** One stat: a counter, a gauge, or a histogram that keeps its count and sum. */
  private final class Stat implements Metric {
    private final MetricType type;
    private final String name;
    private final AtomicLong value = new AtomicLong();
    private final AtomicLong sum = new AtomicLong();

    Stat(MetricType type, String name) {
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
        set(v);
        return;
      }
      value.incrementAndGet();
      sum.addAndGet(v);
      onHistogram.record(this, v);
    }

    @Override
    public long value() {
      return value.get();
    }

    @Override
    public String toString() {
      return name + " (" + type + ") = " + value.get();
    }
  }
}

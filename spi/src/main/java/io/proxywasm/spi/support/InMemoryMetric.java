package io.proxywasm.spi.support;

import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjLongConsumer;

/**
 * A {@link Metric} kept in memory as Envoy keeps its stats: a counter or a gauge holds one value; a
 * histogram keeps how many values were recorded (its {@link #value()}) and their {@link #sum()},
 * never a last value. A value given to a histogram by {@link #add} or {@link #set} is recorded, and
 * one recorded in a counter or gauge sets it. Thread-safe.
 */
public final class InMemoryMetric implements Metric {
  private static final ObjLongConsumer<Metric> NONE = (metric, value) -> {};

  private final MetricType type;
  private final String name;
  private final ObjLongConsumer<Metric> onRecord;
  private final AtomicLong value = new AtomicLong();
  private final AtomicLong sum = new AtomicLong();

  /**
   * Creates a metric at zero.
   *
   * @param type its type
   * @param name its name
   */
  public InMemoryMetric(MetricType type, String name) {
    this(type, name, NONE);
  }

  /**
   * Creates a metric at zero that tells a listener of each value its histogram records.
   *
   * @param type its type
   * @param name its name
   * @param onRecord called with this metric and the value, after a histogram counted it
   */
  public InMemoryMetric(MetricType type, String name, ObjLongConsumer<Metric> onRecord) {
    this.type = Objects.requireNonNull(type, "type");
    this.name = Objects.requireNonNull(name, "name");
    this.onRecord = Objects.requireNonNull(onRecord, "onRecord");
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
    onRecord.accept(this, v);
  }

  @Override
  public long value() {
    return value.get();
  }

  /**
   * Returns the sum of the values a histogram recorded.
   *
   * @return the sum; 0 for a counter or a gauge
   */
  public long sum() {
    return sum.get();
  }

  @Override
  public String toString() {
    return name + " (" + type + ") = " + value.get();
  }
}

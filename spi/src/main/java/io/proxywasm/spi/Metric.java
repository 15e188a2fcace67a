package io.proxywasm.spi;

/**
 * A metric created by a {@link WasmExtension}. The host applies the ABI's rules (a counter only
 * grows, a histogram has no readable value) before calling these methods; implementations must be
 * thread-safe.
 */
public interface Metric {
  /**
   * Returns the metric's type.
   *
   * @return the type
   */
  MetricType type();

  /**
   * Returns the full name under which the metric is reported.
   *
   * @return the name
   */
  String name();

  /**
   * Adds to a counter or gauge.
   *
   * @param delta the amount; negative only for gauges
   */
  void add(long delta);

  /**
   * Sets a gauge.
   *
   * @param value the new value
   */
  void set(long value);

  /**
   * Records a value in a histogram.
   *
   * @param value the value, unsigned
   */
  void record(long value);

  /**
   * Returns the current value of a counter or gauge, or how many values a histogram recorded (as
   * Envoy's histograms keep their sample count and sum, never a last value).
   *
   * @return the value
   */
  long value();
}

package io.proxywasm.sdk;

import io.proxywasm.sdk.engine.PluginHost;

/** A gauge defined by a Java plugin. */
public final class Gauge {
  private final PluginHost dispatcher;
  private final int id;

  Gauge(PluginHost dispatcher, int id) {
    this.dispatcher = dispatcher;
    this.id = id;
  }

  /**
   * Sets the gauge ({@code proxy_record_metric}).
   *
   * @param value the value
   */
  public void set(long value) {
    Context.check("proxy_record_metric", dispatcher.host().recordMetric(id, value));
  }

  /**
   * Adds to the gauge, or subtracts with a negative amount ({@code proxy_increment_metric}).
   *
   * @param amount the amount
   */
  public void add(long amount) {
    Context.check("proxy_increment_metric", dispatcher.host().incrementMetric(id, amount));
  }

  /**
   * Reads the gauge ({@code proxy_get_metric}).
   *
   * @return its value
   */
  public long value() {
    return Context.value("proxy_get_metric", dispatcher.host().metric(id));
  }
}

package io.proxywasm.sdk;

import io.proxywasm.sdk.engine.PluginHost;
import io.proxywasm.spi.HostCall;

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
    Context.check(HostCall.RECORD_METRIC, dispatcher.host().recordMetric(id, value));
  }

  /**
   * Adds to the gauge, or subtracts with a negative amount ({@code proxy_increment_metric}).
   *
   * @param amount the amount
   */
  public void add(long amount) {
    Context.check(HostCall.INCREMENT_METRIC, dispatcher.host().incrementMetric(id, amount));
  }

  /**
   * Reads the gauge ({@code proxy_get_metric}).
   *
   * @return its value
   */
  public long value() {
    return Context.value(HostCall.GET_METRIC, dispatcher.host().metric(id));
  }
}

package io.proxywasm.sdk;

import io.proxywasm.sdk.engine.PluginHost;
import io.proxywasm.spi.HostCall;

/** A counter defined by a Java plugin; only goes up. */
public final class Counter {
  private final PluginHost dispatcher;
  private final int id;

  Counter(PluginHost dispatcher, int id) {
    this.dispatcher = dispatcher;
    this.id = id;
  }

  /**
   * Adds to the counter ({@code proxy_increment_metric}).
   *
   * @param amount a positive amount
   * @throws HostCallException when the host refuses, for example for a negative amount
   */
  public void increment(long amount) {
    Context.check(HostCall.INCREMENT_METRIC, dispatcher.host().incrementMetric(id, amount));
  }

  /** Adds one. */
  public void increment() {
    increment(1);
  }

  /**
   * Reads the counter ({@code proxy_get_metric}).
   *
   * @return its value
   */
  public long value() {
    return Context.value(HostCall.GET_METRIC, dispatcher.host().metric(id));
  }
}

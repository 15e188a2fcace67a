package io.proxywasm.sdk;

import io.proxywasm.sdk.engine.PluginHost;
import io.proxywasm.spi.HostCall;

/** A histogram defined by a Java plugin. */
public final class Histogram {
  private final PluginHost dispatcher;
  private final int id;

  Histogram(PluginHost dispatcher, int id) {
    this.dispatcher = dispatcher;
    this.id = id;
  }

  /**
   * Records a value ({@code proxy_record_metric}).
   *
   * @param value the value
   */
  public void record(long value) {
    Context.check(HostCall.RECORD_METRIC, dispatcher.host().recordMetric(id, value));
  }
}

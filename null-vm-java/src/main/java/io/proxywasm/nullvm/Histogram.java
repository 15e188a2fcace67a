package io.proxywasm.nullvm;

/** A histogram defined by a Java plugin. */
public final class Histogram {
  private final Dispatcher dispatcher;
  private final int id;

  Histogram(Dispatcher dispatcher, int id) {
    this.dispatcher = dispatcher;
    this.id = id;
  }

  /**
   * Records a value ({@code proxy_record_metric}).
   *
   * @param value the value
   */
  public void record(long value) {
    Context.check("proxy_record_metric", dispatcher.host().recordMetric(id, value));
  }
}

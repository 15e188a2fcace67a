package io.proxywasm.spi;

/**
 * Where the host reports what operators watch: lifecycle events and metrics. One extension serves a
 * whole host; implementations must be thread-safe.
 */
public interface WasmExtension {

  /**
   * Receives a lifecycle event.
   *
   * @param event what happened
   * @param plugin the plugin it concerns
   * @param message details, for example the error text; may be empty
   */
  default void onEvent(WasmEvent event, PluginInfo plugin, String message) {}

  /**
   * Receives the number of entries in the remote code cache after it changed.
   *
   * @param entries the number of cached modules
   */
  default void onRemoteCacheEntriesChanged(int entries) {}

  /**
   * Creates or finds a metric a plugin defines with {@code proxy_define_metric}. Defining the same
   * type and name again returns the same metric. An extension that keeps one namespace for all
   * types throws {@link IllegalArgumentException} for a name it holds with another type; the host
   * then answers the plugin {@link WasmResult#BAD_ARGUMENT}.
   *
   * @param type the type
   * @param name the name the plugin gave
   * @param plugin the plugin defining it
   * @return the metric
   * @throws IllegalArgumentException if the name is taken by a metric of another type
   */
  Metric pluginMetric(MetricType type, String name, PluginInfo plugin);

  /**
   * Creates or finds a metric of the host itself, for example {@code wasm.chicory.created}.
   *
   * @param type the type
   * @param name the full name
   * @return the metric
   */
  Metric hostMetric(MetricType type, String name);
}

package io.proxywasm.host;

/**
 * A singleton service plugin (Envoy's WasmService): one VM for the process whose root context runs
 * on ticks, shared queues and foreign function calls, and which streams never use. Typically
 * collects what filter plugins enqueue. Close it to shut the plugin down ({@code proxy_on_done},
 * {@code proxy_on_delete}).
 */
public final class ServicePlugin implements AutoCloseable {
  private final Plugin plugin;
  private final Worker worker;
  private final PluginHandle handle;

  private ServicePlugin(Plugin plugin, Worker worker) {
    this.plugin = plugin;
    this.worker = worker;
    this.handle = worker.handle(plugin);
  }

  static ServicePlugin start(ProxyWasmHost host, PluginConfig config) throws PluginLoadException {
    Plugin plugin = host.load(config);
    Worker worker = host.newWorker();
    ServicePlugin service = new ServicePlugin(plugin, worker);
    if (service.handle.rootContextId().isEmpty()) {
      service.close();
      throw new PluginLoadException(
          io.proxywasm.spi.FailState.START_FAILED,
          "service plugin " + config.name() + " could not start its root context",
          null);
    }
    return service;
  }

  /**
   * Returns the plugin.
   *
   * @return the plugin
   */
  public Plugin plugin() {
    return plugin;
  }

  /**
   * Returns the handle on the service's VM, for ticks and foreign function calls.
   *
   * @return the handle
   */
  public PluginHandle handle() {
    return handle;
  }

  /** Shuts the plugin down and releases its VM. */
  @Override
  public void close() {
    worker.close();
    plugin.close();
  }
}

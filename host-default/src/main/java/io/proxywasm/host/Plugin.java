package io.proxywasm.host;

import io.proxywasm.host.internal.vm.LoadedPlugin;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.PluginInfo;

/**
 * A loaded plugin: its code was validated on a base VM and its configuration accepted by a canary
 * start. Get a worker's {@link PluginHandle} with {@link Worker#handle(Plugin)}.
 */
public final class Plugin implements AutoCloseable {
  private final ProxyWasmHost host;
  private final LoadedPlugin loaded;
  private final AbiVersion abi;
  private volatile boolean closed;

  Plugin(ProxyWasmHost host, LoadedPlugin loaded, AbiVersion abi) {
    this.host = host;
    this.loaded = loaded;
    this.abi = abi;
  }

  /**
   * Returns the configuration.
   *
   * @return the configuration
   */
  public PluginConfig config() {
    return loaded.config();
  }

  /**
   * Returns the identity used in logs, events and metrics.
   *
   * @return the identity
   */
  public PluginInfo info() {
    return loaded.info();
  }

  /**
   * Returns the ABI version the module declares.
   *
   * @return the version
   * @throws IllegalStateException for a plugin that is not {@link #isAvailable() available}
   */
  public AbiVersion abiVersion() {
    if (abi == null) {
      throw new IllegalStateException(
          "plugin " + loaded.info().name() + " is unavailable: " + loaded.unavailable());
    }
    return abi;
  }

  /**
   * Returns the key of the base VM: plugins with equal keys share VMs.
   *
   * @return 64 hex characters
   */
  public String vmKey() {
    return loaded.vmKey();
  }

  /**
   * Tells whether the plugin runs; false for a plugin registered with {@link
   * ProxyWasmHost#unavailable}, whose streams all get the fail policy.
   *
   * @return true when the plugin has code and a VM
   */
  public boolean isAvailable() {
    return loaded.unavailable() == null;
  }

  /**
   * Returns why the plugin cannot run.
   *
   * @return the reason, or empty for a plugin that runs
   */
  public java.util.Optional<String> unavailableReason() {
    return java.util.Optional.ofNullable(loaded.unavailable());
  }

  /**
   * Returns the plugin's current log level: its logs below it are dropped, and {@code
   * proxy_get_log_level} answers it.
   *
   * @return the level
   */
  public io.proxywasm.spi.LogLevel logLevel() {
    return loaded.logLevel().get();
  }

  /**
   * Changes the plugin's log level at run time, in every VM it runs in; the plugin sees the new
   * level from its next {@code proxy_get_log_level}.
   *
   * @param level the new level
   */
  public void setLogLevel(io.proxywasm.spi.LogLevel level) {
    loaded.logLevel().set(java.util.Objects.requireNonNull(level, "level"));
  }

  LoadedPlugin loaded() {
    return loaded;
  }

  ProxyWasmHost host() {
    return host;
  }

  boolean isClosed() {
    return closed;
  }

  /** Releases the plugin; its base VM is closed when no other plugin uses it. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      host.release(this);
    }
  }

  @Override
  public String toString() {
    return "Plugin[" + loaded.info() + ", abi " + abi + "]";
  }
}

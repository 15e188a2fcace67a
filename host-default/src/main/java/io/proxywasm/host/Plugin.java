package io.proxywasm.host;

import io.proxywasm.host.internal.LoadedPlugin;
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
   */
  public AbiVersion abiVersion() {
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

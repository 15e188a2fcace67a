package io.proxywasm.host.internal;

import io.proxywasm.host.PluginConfig;
import io.proxywasm.spi.PluginInfo;

/**
 * A plugin as the host runs it: its configuration, its identity for events and metrics, and the key
 * that tells plugins apart inside one VM.
 *
 * @param config the configuration
 * @param info the identity
 * @param key uppercase-hex SHA-256 of root_id, plugin configuration and vm_key
 * @param vmKey the key of the base VM the plugin runs in
 */
public record LoadedPlugin(PluginConfig config, PluginInfo info, String key, String vmKey) {

  /**
   * Returns whether the plugin may use a host function, WASI function or callback.
   *
   * @param name the capability name, for example {@code proxy_log} or {@code fd_write}
   * @return true when no restriction is configured or the name is allowed
   */
  public boolean allows(String name) {
    return config.allowedCapabilities().isEmpty() || config.allowedCapabilities().contains(name);
  }
}

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
public record LoadedPlugin(PluginConfig config, PluginInfo info, String key, String vmKey) {}

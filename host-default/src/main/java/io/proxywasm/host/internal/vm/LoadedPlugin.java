package io.proxywasm.host.internal.vm;

import io.proxywasm.host.PluginConfig;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A plugin as the host runs it: its configuration, its identity for events and metrics, the key
 * that tells plugins apart inside one VM, its current log level, and, for a plugin whose code could
 * not be had, why.
 *
 * @param config the configuration
 * @param info the identity
 * @param key uppercase-hex SHA-256 of root_id, plugin configuration and vm_key
 * @param vmKey the key of the base VM the plugin runs in; empty when unavailable
 * @param logLevel the level below which the plugin's logs are dropped; changes at run time
 * @param unavailable why the plugin cannot run, or null when it can
 * @param logLimiter the plugin's log budget, shared by every VM it runs in
 */
public record LoadedPlugin(
    PluginConfig config,
    PluginInfo info,
    String key,
    String vmKey,
    AtomicReference<LogLevel> logLevel,
    String unavailable,
    LogLimiter logLimiter) {

  /**
   * Checks the parts.
   *
   * @param config the configuration
   * @param info the identity
   * @param key the plugin key
   * @param vmKey the base VM's key
   * @param logLevel the log level holder
   * @param unavailable why the plugin cannot run, or null
   * @param logLimiter the plugin's log budget
   */
  public LoadedPlugin {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(logLevel, "logLevel");
  }

  /**
   * A plugin that runs, at its configured log level.
   *
   * @param config the configuration
   * @param info the identity
   * @param key the plugin key
   * @param vmKey the base VM's key
   * @param logLimit the host's per-plugin log budget
   */
  public LoadedPlugin(
      PluginConfig config,
      PluginInfo info,
      String key,
      String vmKey,
      io.proxywasm.host.LogLimit logLimit) {
    this(
        config,
        info,
        key,
        vmKey,
        new AtomicReference<>(config.logLevel()),
        null,
        new LogLimiter(logLimit.linesPerSecond(), logLimit.charactersPerSecond()));
  }

  /**
   * A plugin that cannot run: every stream gets its fail policy.
   *
   * @param config the configuration
   * @param info the identity
   * @param reason why
   * @return the plugin
   */
  public static LoadedPlugin unavailable(PluginConfig config, PluginInfo info, String reason) {
    return new LoadedPlugin(
        config,
        info,
        "",
        "",
        new AtomicReference<>(config.logLevel()),
        Objects.requireNonNull(reason, "reason"),
        new LogLimiter(0, 0));
  }
}

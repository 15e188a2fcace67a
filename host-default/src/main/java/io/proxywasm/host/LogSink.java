package io.proxywasm.host;

import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;

/**
 * Receives what plugins log with {@code proxy_log} (or the Null VM's typed ABI) and WASI
 * stdout/stderr. Must be thread-safe.
 */
@FunctionalInterface
public interface LogSink {
  /**
   * Receives one log line of a plugin, already filtered by the plugin's log level.
   *
   * @param plugin the plugin that logged
   * @param level the level
   * @param message the message
   */
  void log(PluginInfo plugin, LogLevel level, String message);

  /**
   * Told of one line the host dropped, unread, because it was below the plugin's log level; by
   * default nothing. A sink that counts them can tell a test or an operator that a plugin is
   * logging below its level.
   *
   * @param plugin the plugin that logged
   * @param level the line's level
   * @param pluginLevel the plugin's log level at the time
   */
  default void dropped(PluginInfo plugin, LogLevel level, LogLevel pluginLevel) {}
}

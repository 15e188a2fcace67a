package io.proxywasm.host;

import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;

/** Receives what plugins log with {@code proxy_log} and WASI stdout/stderr. Must be thread-safe. */
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
}

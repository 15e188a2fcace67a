package io.proxywasm.host;

import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The default {@link LogSink}: each plugin's {@code proxy_log} calls and WASI stdout (info) and
 * stderr (error) lines go to the SLF4J logger {@code io.proxywasm.plugin.<plugin name>}, formatted
 * as Envoy formats them ({@code wasm log <name> <root_id> <vm_id>: <message>}), with the plugin's
 * identity in the MDC while the line is logged: {@value #MDC_PLUGIN}, {@value #MDC_ROOT_ID},
 * {@value #MDC_VM_ID} and {@value #MDC_RUNTIME}. Plugin log level {@code critical} logs at error.
 */
public final class Slf4jLogSink implements LogSink {
  /** The logger name prefix; the plugin's name follows it. */
  public static final String LOGGER_PREFIX = "io.proxywasm.plugin";

  /** MDC key of the plugin's name. */
  public static final String MDC_PLUGIN = "proxywasm.plugin";

  /** MDC key of the plugin's root_id. */
  public static final String MDC_ROOT_ID = "proxywasm.root_id";

  /** MDC key of the plugin's vm_id. */
  public static final String MDC_VM_ID = "proxywasm.vm_id";

  /** MDC key of the runtime's name. */
  public static final String MDC_RUNTIME = "proxywasm.runtime";

  private final ConcurrentHashMap<String, Logger> loggers = new ConcurrentHashMap<>();

  /** Creates the sink. */
  public Slf4jLogSink() {}

  /**
   * Returns the logger name for a plugin.
   *
   * @param pluginName the plugin's name
   * @return {@code io.proxywasm.plugin.<name>}, with characters other than letters, digits, {@code
   *     _}, {@code -} and {@code .} replaced by {@code _}; the prefix alone for no name
   */
  public static String loggerName(String pluginName) {
    if (pluginName.isEmpty()) {
      return LOGGER_PREFIX;
    }
    return LOGGER_PREFIX + "." + pluginName.replaceAll("[^A-Za-z0-9_.-]", "_");
  }

  @Override
  public void log(PluginInfo plugin, LogLevel level, String message) {
    Logger logger =
        loggers.computeIfAbsent(plugin.name(), n -> LoggerFactory.getLogger(loggerName(n)));
    if (!enabled(logger, level)) {
      return;
    }
    String[] saved = {
      MDC.get(MDC_PLUGIN), MDC.get(MDC_ROOT_ID), MDC.get(MDC_VM_ID), MDC.get(MDC_RUNTIME)
    };
    MDC.put(MDC_PLUGIN, plugin.name());
    MDC.put(MDC_ROOT_ID, plugin.rootId());
    MDC.put(MDC_VM_ID, plugin.vmId());
    MDC.put(MDC_RUNTIME, plugin.runtime());
    try {
      String format = "wasm log {} {} {}: {}";
      Object[] args = {plugin.name(), plugin.rootId(), plugin.vmId(), message};
      switch (level) {
        case TRACE:
          logger.trace(format, args);
          break;
        case DEBUG:
          logger.debug(format, args);
          break;
        case INFO:
          logger.info(format, args);
          break;
        case WARN:
          logger.warn(format, args);
          break;
        default:
          logger.error(format, args);
          break;
      }
    } finally {
      restore(MDC_PLUGIN, saved[0]);
      restore(MDC_ROOT_ID, saved[1]);
      restore(MDC_VM_ID, saved[2]);
      restore(MDC_RUNTIME, saved[3]);
    }
  }

  private static boolean enabled(Logger logger, LogLevel level) {
    switch (level) {
      case TRACE:
        return logger.isTraceEnabled();
      case DEBUG:
        return logger.isDebugEnabled();
      case INFO:
        return logger.isInfoEnabled();
      case WARN:
        return logger.isWarnEnabled();
      default:
        return logger.isErrorEnabled();
    }
  }

  private static void restore(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}

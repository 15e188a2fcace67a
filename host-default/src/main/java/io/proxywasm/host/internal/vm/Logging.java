package io.proxywasm.host.internal.vm;

import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;

/** Routes plugin logs and host errors about a plugin to the host's log sink. */
public final class Logging {
  private Logging() {}

  /** The identity logs are attributed to: the context's plugin, or the VM itself. */
  public static PluginInfo info(Context c) {
    if (c != null && c.plugin() != null) {
      return c.plugin().info();
    }
    WasmBase w = c == null ? null : c.wasm();
    return new PluginInfo(
        "", "", w == null ? "" : w.spec().vmId(), w == null ? "" : w.spec().provider().name());
  }

  public static LogLevel level(Context c) {
    return c != null && c.plugin() != null ? c.plugin().logLevel().get() : LogLevel.INFO;
  }

  public static void log(WasmBase wasm, Context c, LogLevel level, String message) {
    LogLevel pluginLevel = level(c);
    if (level.code() >= pluginLevel.code()) {
      LogLimiter limiter = c != null && c.plugin() != null ? c.plugin().logLimiter() : null;
      if (limiter == null) {
        limiter = wasm.logLimiter();
      }
      limiter.log(
          wasm.host().clock().monotonicNanos(), wasm.host().logSink(), info(c), level, message);
    } else {
      dropped(wasm, c, level, pluginLevel);
    }
  }

  /** Tells the sink of a line below the plugin's level, which the host did not read. */
  public static void dropped(WasmBase wasm, Context c, LogLevel level, LogLevel pluginLevel) {
    wasm.host().logSink().dropped(info(c), level, pluginLevel);
  }

  public static void error(WasmBase wasm, String message) {
    Context c = wasm.effectiveContext();
    wasm.host().logSink().log(info(c), LogLevel.ERROR, message);
  }
}

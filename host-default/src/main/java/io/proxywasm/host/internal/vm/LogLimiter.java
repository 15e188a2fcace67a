package io.proxywasm.host.internal.vm;

import io.proxywasm.host.LogSink;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;

/**
 * A plugin's log budget: at most so many lines and bytes per second reach the log sink; the rest
 * are dropped and counted, and the first line of the next second that gets through is preceded by a
 * warning saying how many were suppressed. A plugin logging in a loop can then flood neither the
 * log nor the disk behind it, as Envoy rate-limits its own logs.
 */
final class LogLimiter {
  private static final long WINDOW_NANOS = 1_000_000_000L;

  private final long maxLines;
  private final long maxBytes;
  private long windowStart = Long.MIN_VALUE;
  private long lines;
  private long bytes;
  private long suppressedLines;
  private long suppressedBytes;

  LogLimiter(long maxLines, long maxBytes) {
    this.maxLines = maxLines;
    this.maxBytes = maxBytes;
  }

  /**
   * Passes a line to the sink if the budget allows, else counts it.
   *
   * @param now the host's monotonic time in nanoseconds
   */
  synchronized void log(long now, LogSink sink, PluginInfo plugin, LogLevel level, String message) {
    if (windowStart == Long.MIN_VALUE || now - windowStart >= WINDOW_NANOS) {
      windowStart = now;
      lines = 0;
      bytes = 0;
      if (suppressedLines > 0) {
        sink.log(
            plugin,
            LogLevel.WARN,
            "suppressed "
                + suppressedLines
                + " log lines ("
                + suppressedBytes
                + " characters) from this plugin over its limit of "
                + maxLines
                + " lines and "
                + maxBytes
                + " characters per second");
        suppressedLines = 0;
        suppressedBytes = 0;
      }
    }
    if (lines + 1 > maxLines || bytes + message.length() > maxBytes) {
      suppressedLines++;
      suppressedBytes += message.length();
      return;
    }
    lines++;
    bytes += message.length();
    sink.log(plugin, level, message);
  }
}

package io.proxywasm.host;

/**
 * How much one plugin may log: at most so many lines and characters per second reach the {@link
 * LogSink}; past either, lines are dropped and counted, and a warning at the start of the next
 * second says how many were suppressed. The default, 1000 lines and 1 MiB per second, is far above
 * what a plugin logs per request and far below what a plugin logging in a loop would write.
 *
 * @param linesPerSecond lines per second, at least 1
 * @param charactersPerSecond characters per second, at least 1
 */
public record LogLimit(long linesPerSecond, long charactersPerSecond) {
  /** 1000 lines and 1 MiB per second. */
  public static final LogLimit DEFAULT = new LogLimit(1000, 1 << 20);

  /**
   * Checks the limits.
   *
   * @param linesPerSecond lines per second
   * @param charactersPerSecond characters per second
   */
  public LogLimit {
    if (linesPerSecond < 1 || charactersPerSecond < 1) {
      throw new IllegalArgumentException(
          "a log limit needs at least 1 line and 1 character per second, not "
              + linesPerSecond
              + " and "
              + charactersPerSecond);
    }
  }
}

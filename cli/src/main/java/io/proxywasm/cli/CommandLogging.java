package io.proxywasm.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the host's libraries log through {@link System.Logger} (java.util.logging, as the JDK wires
 * it): the runtime's notes on compiling a module, the compiled-module cache. The command prints its
 * results itself, so these lines are quiet unless asked for: warnings and errors by default, info
 * with {@code run --verbose}, any level with the {@value #LEVEL_VARIABLE} environment variable. A
 * line reads {@code proxy-wasm: info: io.proxywasm.chicory.HugeMethods: ...}, on stderr, with no
 * timestamp.
 */
final class CommandLogging {
  /** The environment variable that sets the level: error, warn, info, debug or trace. */
  static final String LEVEL_VARIABLE = "PROXY_WASM_LOG_LEVEL";

  private static final Logger ROOT = Logger.getLogger("");

  /** Held so that java.util.logging keeps the root logger's configuration. */
  private static Handler handler;

  /** The level asked for by the environment, or null. */
  private static Level requested;

  private CommandLogging() {}

  /**
   * Replaces the JDK's console logging with lines on {@code err} at the requested level.
   *
   * @param err where lines go
   * @param level the value of {@value #LEVEL_VARIABLE}, or null for warnings only
   * @throws ProxyWasmCommand.CommandFailure (exit 2) for a level that is not one of the five
   */
  static synchronized void install(PrintStream err, String level) {
    requested = level == null || level.isBlank() ? null : parse(level);
    for (Handler h : ROOT.getHandlers()) {
      ROOT.removeHandler(h);
    }
    handler = new CommandHandler(err);
    setLevel(requested != null ? requested : Level.WARNING);
    ROOT.addHandler(handler);
  }

  /** {@code run --verbose}: info lines too, unless the environment asked for a level. */
  static synchronized void verbose() {
    if (requested == null && handler != null) {
      setLevel(Level.INFO);
    }
  }

  private static void setLevel(Level level) {
    ROOT.setLevel(level);
    handler.setLevel(level);
  }

  /**
   * The java.util.logging level of a level name.
   *
   * @param name error, warn, info, debug or trace (any case)
   * @return the level
   */
  static Level parse(String name) {
    switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "error":
        return Level.SEVERE;
      case "warn":
      case "warning":
        return Level.WARNING;
      case "info":
        return Level.INFO;
      case "debug":
        return Level.FINE;
      case "trace":
        return Level.FINEST;
      default:
        throw new ProxyWasmCommand.CommandFailure(
            2,
            LEVEL_VARIABLE + " is '" + name + "'; it takes one of error, warn, info, debug, trace");
    }
  }

  /** The word a level prints as. */
  static String word(Level level) {
    int value = level.intValue();
    if (value >= Level.SEVERE.intValue()) {
      return "error";
    }
    if (value >= Level.WARNING.intValue()) {
      return "warning";
    }
    if (value >= Level.INFO.intValue()) {
      return "info";
    }
    return value >= Level.FINE.intValue() ? "debug" : "trace";
  }

  /** Writes each record as one line, its message formatted, with the cause's text if any. */
  private static final class CommandHandler extends Handler {
    private final PrintStream err;
    private final Formatter messages =
        new Formatter() {
          @Override
          public String format(LogRecord record) {
            return formatMessage(record);
          }
        };

    CommandHandler(PrintStream err) {
      this.err = err;
    }

    @Override
    public void publish(LogRecord record) {
      if (!isLoggable(record)) {
        return;
      }
      StringBuilder line =
          new StringBuilder("proxy-wasm: ")
              .append(word(record.getLevel()))
              .append(": ")
              .append(record.getLoggerName())
              .append(": ")
              .append(messages.format(record));
      if (record.getThrown() != null) {
        line.append(" (").append(record.getThrown()).append(')');
      }
      err.println(line);
    }

    @Override
    public void flush() {
      err.flush();
    }

    @Override
    public void close() {
      flush();
    }
  }
}

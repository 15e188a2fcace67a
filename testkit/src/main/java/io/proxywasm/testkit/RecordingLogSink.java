package io.proxywasm.testkit;

import io.proxywasm.host.LogSink;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** A {@link LogSink} that keeps every line plugins log. Thread-safe. */
public final class RecordingLogSink implements LogSink {
  /**
   * One logged line.
   *
   * @param plugin who logged it
   * @param level the level
   * @param message the message
   */
  public record Line(PluginInfo plugin, LogLevel level, String message) {
    @Override
    public String toString() {
      return level + " " + message;
    }
  }

  private final List<Line> lines = new CopyOnWriteArrayList<>();

  /** Creates an empty sink. */
  public RecordingLogSink() {}

  @Override
  public void log(PluginInfo plugin, LogLevel level, String message) {
    lines.add(new Line(plugin, level, message));
  }

  /**
   * Returns every line, oldest first.
   *
   * @return a snapshot
   */
  public List<Line> lines() {
    return List.copyOf(lines);
  }

  /**
   * Returns the messages, oldest first.
   *
   * @return a snapshot
   */
  public List<String> messages() {
    return lines.stream().map(Line::message).collect(Collectors.toList());
  }

  /**
   * Returns the lines logged since a position, for looking at one step.
   *
   * @param from a previous {@link #size()}
   * @return the lines from there
   */
  public List<Line> since(int from) {
    List<Line> all = lines();
    return all.subList(Math.min(from, all.size()), all.size());
  }

  /**
   * Returns the number of lines.
   *
   * @return the count
   */
  public int size() {
    return lines.size();
  }

  /** Forgets every line. */
  public void clear() {
    lines.clear();
  }
}

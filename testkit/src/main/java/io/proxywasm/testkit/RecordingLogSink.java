package io.proxywasm.testkit;

import io.proxywasm.host.LogSink;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A {@link LogSink} that keeps every line plugins log, with the VM and the context that wrote it.
 * Thread-safe.
 *
 * <p>Under the test kit each line says which VM wrote it ({@link VmKind}: the base VM's start-up,
 * the canary, a worker's clone, a service) and the context id the plugin was called for (0 for the
 * VM's own start-up). Used on its own by an embedder, the sink cannot know, and says {@link
 * VmKind#NONE} and 0.
 *
 * <p>The host drops lines below a plugin's log level before they reach any sink, and tells the sink
 * how many. This sink counts them: {@link #dropped()} and {@link #toString()} say how many, and at
 * which levels, so that a test missing a {@code trace} line learns to set the plugin's level rather
 * than stare at the code.
 */
public final class RecordingLogSink implements LogSink {
  /**
   * One logged line.
   *
   * @param plugin who logged it (for a base VM's start-up, only its vm_id and runtime are known)
   * @param level the level
   * @param message the message
   * @param vm which VM wrote it
   * @param contextId the context the plugin was called for, 0 for the VM's own start-up or when not
   *     known
   */
  public record Line(PluginInfo plugin, LogLevel level, String message, VmKind vm, int contextId) {
    /**
     * A line of unknown origin.
     *
     * @param plugin who logged it
     * @param level the level
     * @param message the message
     */
    public Line(PluginInfo plugin, LogLevel level, String message) {
      this(plugin, level, message, VmKind.NONE, 0);
    }

    /**
     * Checks the parts.
     *
     * @param plugin who logged it
     * @param level the level
     * @param message the message
     * @param vm which VM wrote it
     * @param contextId the context id
     */
    public Line {
      Objects.requireNonNull(vm, "vm");
    }

    /**
     * Returns the line with where it came from: {@code [worker ctx 2] INFO message}.
     *
     * @return the text
     */
    public String describe() {
      String name = plugin.name().isEmpty() ? "" : plugin.name() + " ";
      return "["
          + name
          + vm.name().toLowerCase(java.util.Locale.ROOT)
          + " ctx "
          + contextId
          + "] "
          + level
          + " "
          + message;
    }

    @Override
    public String toString() {
      return level + " " + message;
    }
  }

  private final List<Line> lines = new CopyOnWriteArrayList<>();
  private final Map<LogLevel, Integer> dropped = new EnumMap<>(LogLevel.class);
  private LogLevel droppedAt;
  private volatile VmTracker tracker;

  /** Creates an empty sink. */
  public RecordingLogSink() {}

  void track(VmTracker tracker) {
    this.tracker = tracker;
  }

  @Override
  public void log(PluginInfo plugin, LogLevel level, String message) {
    VmTracker t = tracker;
    VmTracker.Origin origin = t == null ? VmTracker.Origin.NONE : t.current();
    lines.add(new Line(plugin, level, message, origin.vm(), origin.contextId()));
  }

  /**
   * Counts a line the host dropped below the plugin's log level.
   *
   * @param plugin the plugin that logged
   * @param level the line's level
   * @param pluginLevel the plugin's log level
   */
  @Override
  public synchronized void dropped(PluginInfo plugin, LogLevel level, LogLevel pluginLevel) {
    dropped.merge(level, 1, Integer::sum);
    droppedAt = pluginLevel;
  }

  /**
   * Returns how many lines the host dropped because they were below the plugin's log level, by
   * level, as the host reports them ({@link LogSink#dropped}).
   *
   * @return the counts, empty when none were dropped
   */
  public synchronized Map<LogLevel, Integer> dropped() {
    return Map.copyOf(dropped);
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
   * Returns the lines one kind of VM wrote, oldest first.
   *
   * @param vm the kind of VM
   * @return a snapshot
   */
  public List<Line> lines(VmKind vm) {
    return filter(l -> l.vm() == vm);
  }

  /**
   * Returns the lines written while the plugin was called for one context, oldest first.
   *
   * @param contextId the context id, for example {@link ExchangeResult#contextId()}
   * @return a snapshot
   */
  public List<Line> linesOfContext(int contextId) {
    return filter(l -> l.contextId() == contextId);
  }

  /**
   * Returns the lines of one plugin, by its name, oldest first.
   *
   * @param pluginName the plugin's name
   * @return a snapshot
   */
  public List<Line> linesOf(String pluginName) {
    return filter(l -> l.plugin().name().equals(pluginName));
  }

  private List<Line> filter(Predicate<Line> keep) {
    return lines.stream().filter(keep).collect(Collectors.toList());
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
   * Returns the messages one kind of VM wrote, oldest first.
   *
   * @param vm the kind of VM
   * @return a snapshot
   */
  public List<String> messages(VmKind vm) {
    return lines(vm).stream().map(Line::message).collect(Collectors.toList());
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

  /** Forgets every line and every count of dropped lines. */
  public synchronized void clear() {
    lines.clear();
    dropped.clear();
  }

  /**
   * Says what was dropped, if anything: for example {@code 3 TRACE lines were dropped below the
   * plugin's log level INFO: set logLevel(LogLevel.TRACE) to see them}.
   *
   * @return the hint, or empty when nothing was dropped
   */
  public synchronized String droppedHint() {
    if (dropped.isEmpty()) {
      return "";
    }
    LogLevel lowest = dropped.keySet().iterator().next();
    String counts =
        dropped.entrySet().stream()
            .map(e -> e.getValue() + " " + e.getKey())
            .collect(Collectors.joining(", "));
    return counts
        + " line(s) were dropped below the plugin's log level "
        + droppedAt
        + ": set logLevel(LogLevel."
        + lowest
        + ") to see them";
  }

  /**
   * Lists the lines with where they came from, then the hint about dropped lines if any, so that a
   * failing assertion that prints the sink says what is missing and why.
   *
   * @return the text
   */
  @Override
  public String toString() {
    String body = lines.stream().map(Line::describe).collect(Collectors.joining("\n"));
    String hint = droppedHint();
    return hint.isEmpty() ? body : body + (body.isEmpty() ? "" : "\n") + "(" + hint + ")";
  }
}

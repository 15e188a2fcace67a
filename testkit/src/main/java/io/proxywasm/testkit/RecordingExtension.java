package io.proxywasm.testkit;

import io.proxywasm.host.InMemoryExtension;
import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmExtension;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A {@link WasmExtension} that keeps every lifecycle event and metric, under the names plugins give
 * them. Thread-safe.
 *
 * <p>As in Envoy, a metric is one per name for the whole host: two plugins that define {@code
 * requests} count into the same metric. Envoy shows a plugin's metric {@code requests} as {@code
 * wasmcustom.requests}; {@link MetricValue#productionName()} gives that name, and {@link
 * #metric(String)} accepts either.
 *
 * <p>It can pass everything on to another extension too (the kit's {@code extension(...)}), so that
 * a test can check an embedder's own extension while the kit records.
 */
public final class RecordingExtension implements WasmExtension {
  /**
   * One lifecycle event.
   *
   * @param event what happened
   * @param plugin the plugin it concerns
   * @param message the details
   */
  public record Event(WasmEvent event, PluginInfo plugin, String message) {}

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final InMemoryExtension metrics = new InMemoryExtension();
  private final WasmExtension next;

  /** Creates an empty extension. */
  public RecordingExtension() {
    this(null);
  }

  /**
   * Creates an empty extension that also passes every event and metric on.
   *
   * @param next the extension to pass them to, or null
   */
  public RecordingExtension(WasmExtension next) {
    this.next = next;
  }

  @Override
  public void onEvent(WasmEvent event, PluginInfo plugin, String message) {
    events.add(new Event(event, plugin, message));
    if (next != null) {
      next.onEvent(event, plugin, message);
    }
  }

  @Override
  public void onRemoteCacheEntriesChanged(int entries) {
    if (next != null) {
      next.onRemoteCacheEntriesChanged(entries);
    }
  }

  @Override
  public Metric pluginMetric(MetricType type, String name, PluginInfo plugin) {
    Metric kept = metrics.pluginMetric(type, name, plugin);
    return next == null ? kept : both(kept, next.pluginMetric(type, name, plugin));
  }

  @Override
  public Metric hostMetric(MetricType type, String name) {
    Metric kept = metrics.hostMetric(type, name);
    return next == null ? kept : both(kept, next.hostMetric(type, name));
  }

  private static Metric both(Metric kept, Metric other) {
    Objects.requireNonNull(other, "the extension passed on to returned no metric");
    return new Metric() {
      @Override
      public MetricType type() {
        return kept.type();
      }

      @Override
      public String name() {
        return kept.name();
      }

      @Override
      public void add(long delta) {
        kept.add(delta);
        other.add(delta);
      }

      @Override
      public void set(long value) {
        kept.set(value);
        other.set(value);
      }

      @Override
      public void record(long value) {
        kept.record(value);
        other.record(value);
      }

      @Override
      public long value() {
        return kept.value();
      }
    };
  }

  /**
   * Returns every event, oldest first.
   *
   * @return a snapshot
   */
  public List<Event> events() {
    return List.copyOf(events);
  }

  /**
   * Returns the events of one kind.
   *
   * @param kind the kind
   * @return a snapshot, oldest first
   */
  public List<Event> events(WasmEvent kind) {
    return events.stream().filter(e -> e.event() == kind).collect(Collectors.toList());
  }

  /** The prefix Envoy puts before the name a plugin gives a metric. */
  public static final String PRODUCTION_PREFIX = "wasmcustom.";

  /**
   * Returns a metric: its type and value.
   *
   * @param name the name the plugin gave ({@code requests}) or the name Envoy shows ({@code
   *     wasmcustom.requests})
   * @return the metric, or empty if no such metric was defined
   */
  public Optional<MetricValue> metric(String name) {
    String plain =
        name.startsWith(PRODUCTION_PREFIX) ? name.substring(PRODUCTION_PREFIX.length()) : name;
    return metrics.metric(plain).map(m -> new MetricValue(m.name(), m.type(), m.value()));
  }

  /**
   * A metric and its value.
   *
   * @param name the name the plugin gave
   * @param type the type
   * @param value a counter's or gauge's value, the number of values a histogram recorded
   */
  public record MetricValue(String name, MetricType type, long value) {
    /**
     * Returns the name Envoy shows the metric under: {@code wasmcustom.} and the plugin's name.
     *
     * @return the name
     */
    public String productionName() {
      return PRODUCTION_PREFIX + name;
    }

    @Override
    public String toString() {
      return type + " " + name + " (" + productionName() + ") = " + value;
    }
  }

  /**
   * Returns every metric with its type and value, in name order.
   *
   * @return a snapshot
   */
  public List<MetricValue> metricValues() {
    return metrics.metrics().stream()
        .map(m -> new MetricValue(m.name(), m.type(), m.value()))
        .collect(Collectors.toList());
  }
}

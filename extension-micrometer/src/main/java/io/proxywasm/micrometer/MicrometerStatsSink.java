package io.proxywasm.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.proxywasm.envoy.WasmStatsSink;
import io.proxywasm.spi.Metric;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shows the stats of {@link io.proxywasm.envoy.EnvoyWasmExtension} in a Micrometer {@link
 * MeterRegistry}, so that Spring Boot, Quarkus or Micronaut applications see plugin metrics beside
 * their own:
 *
 * <ul>
 *   <li>each counter (the lifecycle counters such as {@code wasm.chicory.created}, and plugin
 *       counters such as {@code wasmcustom.requests}) becomes a {@link FunctionCounter} that reads
 *       the stat's live value;
 *   <li>each gauge ({@code wasm.<runtime>.active}, {@code wasm.<runtime>.memory_size}, plugin
 *       gauges) becomes a {@link Gauge} that reads the stat's live value;
 *   <li>each histogram becomes a {@link DistributionSummary} fed with every recorded value;
 *   <li>each lifecycle event counts in the counter {@code wasm.events}, tagged {@code event} (the
 *       event's name in lower case, for example {@code vm_created}), {@code plugin} and {@code
 *       runtime}.
 * </ul>
 *
 * <p>Meter names are the Envoy stat names, so dashboards written for Envoy's Wasm stats find the
 * same names (a registry's naming convention may still rewrite the dots). The tags given at
 * construction go on every meter.
 *
 * <p>Found by ServiceLoader as the sink {@code micrometer}, it registers in Micrometer's {@link
 * Metrics#globalRegistry}, which Spring Boot and Quarkus add their registries to; to pick a
 * registry, construct the sink and give it to {@link
 * io.proxywasm.envoy.EnvoyWasmExtension.Builder#sink}.
 */
public final class MicrometerStatsSink implements WasmStatsSink {
  /** The name of the counter that counts lifecycle events. */
  public static final String EVENTS = "wasm.events";

  private final MeterRegistry registry;
  private final Tags tags;
  private final Map<Metric, DistributionSummary> summaries = new ConcurrentHashMap<>();

  /**
   * Creates a sink that registers meters in {@code registry}.
   *
   * @param registry where meters go
   */
  public MicrometerStatsSink(MeterRegistry registry) {
    this(registry, Tags.empty());
  }

  /**
   * Creates a sink that registers meters in {@code registry}, each with {@code tags}.
   *
   * @param registry where meters go
   * @param tags tags for every meter, for example the gateway's name
   */
  public MicrometerStatsSink(MeterRegistry registry, Iterable<Tag> tags) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
  }

  /**
   * Returns the registry meters go to.
   *
   * @return the registry
   */
  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public void onStatCreated(Metric stat) {
    switch (stat.type()) {
      case COUNTER:
        FunctionCounter.builder(stat.name(), stat, Metric::value)
            .tags(tags)
            .description("proxy-wasm counter " + stat.name())
            .register(registry);
        break;
      case GAUGE:
        Gauge.builder(stat.name(), stat, Metric::value)
            .tags(tags)
            .strongReference(true)
            .description("proxy-wasm gauge " + stat.name())
            .register(registry);
        break;
      case HISTOGRAM:
        summaries.computeIfAbsent(
            stat,
            s ->
                DistributionSummary.builder(s.name())
                    .tags(tags)
                    .description("proxy-wasm histogram " + s.name())
                    .register(registry));
        break;
      default:
        throw new IllegalArgumentException("unknown metric type " + stat.type());
    }
  }

  @Override
  public void onHistogramValue(Metric stat, long value) {
    DistributionSummary summary = summaries.get(stat);
    if (summary == null) {
      onStatCreated(stat);
      summary = summaries.get(stat);
    }
    summary.record(value);
  }

  @Override
  public void onEvent(WasmEvent event, PluginInfo plugin, String message) {
    Counter.builder(EVENTS)
        .tags(tags)
        .tag("event", event.name().toLowerCase(Locale.ROOT))
        .tag("plugin", plugin.name())
        .tag("runtime", plugin.runtime())
        .description("proxy-wasm lifecycle events")
        .register(registry)
        .increment();
  }

  @Override
  public String toString() {
    return "MicrometerStatsSink[" + registry.getClass().getSimpleName() + "]";
  }
}

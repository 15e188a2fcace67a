package io.proxywasm.envoy;

import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmExtension;
import io.proxywasm.spi.support.ProviderRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link WasmExtension}, named and behaving as Envoy's Wasm stats so that dashboards
 * and runbooks carry over:
 *
 * <ul>
 *   <li>{@code wasm.<runtime>.created} (counter) and {@code wasm.<runtime>.active} (gauge), from
 *       the host's {@code VmCreated} and {@code VmShutDown} events; {@code
 *       wasm.<runtime>.memory_size} (gauge), which the host keeps;
 *   <li>{@code wasm.remote_load_cache_hits}, {@code _negative_hits}, {@code _misses}, {@code
 *       wasm.remote_load_fetch_successes}, {@code _failures} (counters) and {@code
 *       wasm.remote_load_cache_entries} (gauge), from remote code loading ({@code
 *       io.proxywasm.remote.RemoteCode});
 *   <li>{@code wasm.vm_reload}, {@code wasm.vm_reload_success}, {@code wasm.vm_reload_failure},
 *       {@code wasm.vm_reload_backoff} (counters), from the host's reload events;
 *   <li>plugin metrics from {@code proxy_define_metric} as {@code wasmcustom.<name>}, with the host
 *       applying Envoy's semantics per type.
 * </ul>
 *
 * <p>Every stat lives in the {@link #registry()}; every event and stat also goes to the sinks:
 * those found with ServiceLoader ({@link WasmStatsSinkProvider}) when the extension is discovered,
 * or those given to the {@link #builder()}.
 */
public final class EnvoyWasmExtension implements WasmExtension {
  private static final Logger LOG = LoggerFactory.getLogger(EnvoyWasmExtension.class);

  /** The namespace Envoy gives plugin-defined metrics. */
  public static final String CUSTOM_NAMESPACE = "wasmcustom.";

  private final List<WasmStatsSink> sinks;
  private final StatsRegistry registry;

  private EnvoyWasmExtension(List<WasmStatsSink> sinks) {
    this.sinks = List.copyOf(sinks);
    this.registry = new StatsRegistry(this::created, this::histogram);
  }

  /**
   * Starts an extension with the sinks given by hand.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates the extension with every sink ServiceLoader finds; a sink that cannot be created is
   * logged and left out.
   *
   * @return the extension
   */
  public static EnvoyWasmExtension withDiscoveredSinks() {
    return withSinksFrom(ServiceLoader.load(WasmStatsSinkProvider.class));
  }

  /** How sinks are discovered: the one rule of runtimes, extensions and Java plugins. */
  private static final ProviderRegistry.Kind<WasmStatsSinkProvider> SINKS =
      new ProviderRegistry.Kind<>(
          "stats sink",
          WasmStatsSinkProvider.class,
          null,
          WasmStatsSinkProvider::name,
          p -> 0,
          "a jar providing " + WasmStatsSinkProvider.class.getName());

  /**
   * Makes the extension with the sinks of the given providers, by the discovery rule: a provider
   * that fails to load, to name itself or to create its sink, or whose name another provider has,
   * is left out with a warning, and the others are used.
   */
  static EnvoyWasmExtension withSinksFrom(Iterable<WasmStatsSinkProvider> providers) {
    Builder b = builder();
    // the registry warns of each provider it leaves out
    ProviderRegistry<WasmStatsSinkProvider> found = ProviderRegistry.discover(SINKS, providers);
    for (var e : found.providers().entrySet()) {
      try {
        b.sink(e.getValue().create());
      } catch (RuntimeException | LinkageError ex) {
        LOG.warn(
            "wasm stats sink '{}' left out: its sink could not be created: {}",
            e.getKey(),
            ex.toString());
      }
    }
    return b.build();
  }

  /**
   * Returns the stats, by Envoy name.
   *
   * @return the registry
   */
  public StatsRegistry registry() {
    return registry;
  }

  /**
   * Returns the sinks events and stats go to.
   *
   * @return the sinks, in the order given or found
   */
  public List<WasmStatsSink> sinks() {
    return sinks;
  }

  @Override
  public void onEvent(WasmEvent event, PluginInfo plugin, String message) {
    String runtime = "wasm." + (plugin.runtime().isEmpty() ? "unknown" : plugin.runtime());
    switch (event) {
      case VM_CREATED:
        counter(runtime + ".created").add(1);
        gauge(runtime + ".active").add(1);
        break;
      case VM_SHUT_DOWN:
        gauge(runtime + ".active").add(-1);
        break;
      case REMOTE_LOAD_CACHE_HIT:
        counter("wasm.remote_load_cache_hits").add(1);
        break;
      case REMOTE_LOAD_CACHE_NEGATIVE_HIT:
        counter("wasm.remote_load_cache_negative_hits").add(1);
        break;
      case REMOTE_LOAD_CACHE_MISS:
        counter("wasm.remote_load_cache_misses").add(1);
        break;
      case REMOTE_LOAD_CACHE_FETCH_SUCCESS:
        counter("wasm.remote_load_fetch_successes").add(1);
        break;
      case REMOTE_LOAD_CACHE_FETCH_FAILURE:
        counter("wasm.remote_load_fetch_failures").add(1);
        break;
      case VM_RELOAD_SUCCESS:
        counter("wasm.vm_reload").add(1);
        counter("wasm.vm_reload_success").add(1);
        break;
      case VM_RELOAD_FAILURE:
        counter("wasm.vm_reload").add(1);
        counter("wasm.vm_reload_failure").add(1);
        break;
      case VM_RELOAD_BACKOFF:
        counter("wasm.vm_reload_backoff").add(1);
        break;
      default:
        break;
    }
    for (WasmStatsSink sink : sinks) {
      try {
        sink.onEvent(event, plugin, message);
      } catch (RuntimeException e) {
        LOG.warn("wasm stats sink {} failed on event {}: {}", sink, event, e.toString());
      }
    }
  }

  @Override
  public void onRemoteCacheEntriesChanged(int entries) {
    gauge("wasm.remote_load_cache_entries").set(entries);
  }

  @Override
  public Metric pluginMetric(MetricType type, String name, PluginInfo plugin) {
    return registry.stat(type, CUSTOM_NAMESPACE + name);
  }

  @Override
  public Metric hostMetric(MetricType type, String name) {
    return registry.stat(type, name);
  }

  private Metric counter(String name) {
    return registry.stat(MetricType.COUNTER, name);
  }

  private Metric gauge(String name) {
    return registry.stat(MetricType.GAUGE, name);
  }

  private void created(Metric stat) {
    for (WasmStatsSink sink : sinks) {
      try {
        sink.onStatCreated(stat);
      } catch (RuntimeException e) {
        LOG.warn("wasm stats sink {} failed on stat {}: {}", sink, stat.name(), e.toString());
      }
    }
  }

  private void histogram(Metric stat, long value) {
    for (WasmStatsSink sink : sinks) {
      try {
        sink.onHistogramValue(stat, value);
      } catch (RuntimeException e) {
        LOG.warn("wasm stats sink {} failed on stat {}: {}", sink, stat.name(), e.toString());
      }
    }
  }

  /** Configures an {@link EnvoyWasmExtension}. */
  public static final class Builder {
    private final List<WasmStatsSink> sinks = new ArrayList<>();

    private Builder() {}

    /**
     * Adds a sink.
     *
     * @param sink the sink
     * @return this builder
     */
    public Builder sink(WasmStatsSink sink) {
      sinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /**
     * Creates the extension.
     *
     * @return the extension
     */
    public EnvoyWasmExtension build() {
      return new EnvoyWasmExtension(sinks);
    }
  }
}

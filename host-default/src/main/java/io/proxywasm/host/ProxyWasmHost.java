package io.proxywasm.host;

import io.proxywasm.host.internal.abi.AbiHostFunctions;
import io.proxywasm.host.internal.vm.HostServices;
import io.proxywasm.host.internal.vm.Keys;
import io.proxywasm.host.internal.vm.LoadedPlugin;
import io.proxywasm.host.internal.vm.VmFactory;
import io.proxywasm.host.internal.vm.VmIntegration;
import io.proxywasm.host.internal.vm.VmSpec;
import io.proxywasm.host.internal.vm.WasmBase;
import io.proxywasm.host.internal.vm.Watchdog;
import io.proxywasm.spi.Extensions;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.ProviderLookupException;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.UnsupportedModuleException;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmExtension;
import io.proxywasm.spi.WasmVmProvider;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A proxy-wasm host: loads plugins, keeps one base VM per vm_key, and hands out {@link Worker}s
 * that run per-worker clones. Thread-safe. Build one with {@link #builder()}.
 *
 * <pre>{@code
 * try (ProxyWasmHost host = ProxyWasmHost.builder().build();
 *     Plugin plugin = host.load(PluginConfig.builder("headers").code(wasm).build());
 *     Worker worker = host.newWorker()) {
 *   HttpStream stream = worker.handle(plugin).newHttpStream(listener);
 *   FilterHeadersStatus status = stream.onRequestHeaders(headers, false);
 *   ...
 *   stream.close();
 * }
 * }</pre>
 */
public final class ProxyWasmHost implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyWasmHost.class);

  /** How many open plugins have each plugin key. */
  private final Map<String, Integer> liveKeys = new HashMap<>();

  /** The plugins loaded and not closed, so that closing the host closes them. */
  private final java.util.Set<Plugin> plugins = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private volatile boolean closed;

  /** The live workers, so that closing a plugin reaches its root contexts on each. */
  private final java.util.Set<Worker> workers = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final Runtimes runtimes;
  private final HostServices services;
  private final ScheduledExecutorService ownedScheduler;
  private final java.util.concurrent.ExecutorService ownedDelivery;
  private final Map<String, BaseVm> bases = new HashMap<>();

  /**
   * Modules a runtime refused ({@link UnsupportedModuleException}), as runtime name and code
   * digest: a later load of the same module goes straight to the next runtime. The last 64 are
   * kept.
   */
  private final java.util.Set<String> refusals =
      java.util.Collections.synchronizedSet(
          java.util.Collections.newSetFromMap(
              new java.util.LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                  return size() > 64;
                }
              }));

  private final StoreQuota storeQuota;

  /** A base VM and the plugins that use it. */
  private static final class BaseVm {
    final WasmBase wasm;
    final VmIdHandle dataHandle;
    final VmIdHandle queueHandle;
    int plugins;

    BaseVm(WasmBase wasm, VmIdHandle dataHandle, VmIdHandle queueHandle) {
      this.wasm = wasm;
      this.dataHandle = dataHandle;
      this.queueHandle = queueHandle;
    }
  }

  private ProxyWasmHost(Builder b) {
    this.runtimes = b.runtimes != null ? b.runtimes : Runtimes.discover();
    this.storeQuota = b.storeQuota;
    Scheduler scheduler = b.scheduler;
    if (scheduler == null) {
      ownedScheduler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "proxy-wasm-scheduler");
                t.setDaemon(true);
                return t;
              });
      scheduler =
          (delay, task) -> {
            var f = ownedScheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
          };
      ownedDelivery =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "proxy-wasm-delivery");
                t.setDaemon(true);
                return t;
              });
    } else {
      ownedScheduler = null;
      ownedDelivery = null;
    }
    java.util.concurrent.Executor pool = b.deliveryPool != null ? b.deliveryPool : ownedDelivery;
    this.services =
        new HostServices(
            new SharedData(b.storeQuota),
            new SharedQueues(b.storeQuota),
            b.extension != null ? b.extension : defaultExtension(),
            scheduler,
            b.clock,
            b.logSink,
            b.properties,
            b.httpCalls,
            b.grpcCalls,
            Map.copyOf(b.foreignFunctions),
            Map.copyOf(b.runtimeObjects),
            b.logLimit,
            pool,
            b.tickBudget,
            new Watchdog(),
            new AbiHostFunctions());
  }

  private static WasmExtension defaultExtension() {
    Extensions found = Extensions.discover();
    return found.all().isEmpty() ? new InMemoryExtension() : found.preferred().create();
  }

  /**
   * Starts a host configuration.
   *
   * @return a builder with defaults: discovered runtimes and extension, SLF4J plugin logs, the
   *     system clock, a private scheduler thread
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Loads a plugin: finds its runtime, creates or reuses the base VM for its vm_key, and starts and
   * configures the plugin once on a canary clone so that a rejected configuration fails here.
   *
   * <p>When the configuration names no runtime, the runtimes are tried in the order of {@link
   * Runtimes#candidatesFor(byte[])}: a runtime that refuses the module as unsupported ({@link
   * UnsupportedModuleException}, logged at info) hands it to the next, and the host remembers the
   * refusal for later loads of the same module. Any other failure ends the load. A named runtime is
   * the only one tried.
   *
   * @param config the plugin
   * @return the loaded plugin
   * @throws PluginLoadException naming what was wrong: the runtime, the module, a missing export,
   *     or the configuration the plugin rejected
   */
  public Plugin load(PluginConfig config) throws PluginLoadException {
    Objects.requireNonNull(config, "config");
    checkOpen();
    List<WasmVmProvider> candidates;
    try {
      candidates =
          config.runtime().isEmpty()
              ? runtimes.candidatesFor(config.code())
              : List.of(runtimes.get(config.runtime()));
    } catch (ProviderLookupException e) {
      throw new PluginLoadException(FailState.UNABLE_TO_CREATE_VM, e.getMessage(), e);
    }
    String codeDigest = candidates.size() > 1 ? Keys.digest(config.code()) : "";
    for (int i = 0; ; i++) {
      WasmVmProvider provider = candidates.get(i);
      boolean last = i == candidates.size() - 1;
      String refusal = provider.name() + '|' + codeDigest;
      if (!last && refusals.contains(refusal)) {
        continue;
      }
      try {
        return load(config, provider, last);
      } catch (PluginLoadException e) {
        if (last || !(e.getCause() instanceof UnsupportedModuleException)) {
          throw e;
        }
        refusals.add(refusal);
        LOG.info(
            "plugin {}: runtime {} cannot run its module ({}); trying runtime {}",
            config.name(),
            provider.name(),
            e.getMessage(),
            candidates.get(i + 1).name());
      }
    }
  }

  /**
   * {@link #load(PluginConfig)} on one runtime; a module the runtime refuses ({@link
   * UnsupportedModuleException}) is reported to the extension only if no other runtime follows.
   */
  private Plugin load(PluginConfig config, WasmVmProvider provider, boolean lastRuntime)
      throws PluginLoadException {
    String vmKey = vmKey(config, provider);
    PluginInfo info =
        new PluginInfo(config.name(), config.rootId(), config.vmId(), provider.name());
    LoadedPlugin loaded =
        new LoadedPlugin(
            config,
            info,
            Keys.digest(Keys.utf8(config.rootId()), config.pluginConfiguration(), Keys.utf8(vmKey)),
            vmKey,
            services.logLimit());
    VmSpec spec =
        new VmSpec(
            provider,
            config.vmId(),
            vmKey,
            config.code(),
            config.vmConfiguration(),
            config.allowedCapabilities(),
            config.environment(),
            config.callDeadline(),
            config.memoryLimitBytes());
    StoreQuota quota = config.storeQuota().orElse(storeQuota);
    WasmBase base;
    synchronized (bases) {
      BaseVm entry = bases.get(vmKey);
      if (entry == null) {
        entry = createBase(spec, info, quota, lastRuntime);
        bases.put(vmKey, entry);
      } else {
        requireQuota(config.vmId(), quota, services.sharedData().quota(config.vmId()));
        requireQuota(config.vmId(), quota, services.sharedQueues().quota(config.vmId()));
      }
      entry.plugins++;
      base = entry.wasm;
    }
    try {
      canary(base, loaded);
    } catch (PluginLoadException e) {
      releaseBase(vmKey);
      throw e;
    }
    services.extension().onEvent(WasmEvent.OK, info, "loaded");
    synchronized (liveKeys) {
      liveKeys.merge(loaded.key(), 1, Integer::sum);
    }
    return track(new Plugin(this, loaded, base.abi()));
  }

  /** A plugin whose vm_id lives with another quota does not load (see {@link StoreQuota}). */
  private static void requireQuota(String vmId, StoreQuota asked, StoreQuota bound)
      throws PluginLoadException {
    try {
      bound.requireSame(vmId, asked);
    } catch (IllegalArgumentException e) {
      throw new PluginLoadException(FailState.UNABLE_TO_CREATE_VM, e.getMessage(), null);
    }
  }

  private BaseVm createBase(VmSpec spec, PluginInfo info, StoreQuota quota, boolean lastRuntime)
      throws PluginLoadException {
    VmIdHandle dataHandle = null;
    VmIdHandle queueHandle = null;
    try {
      dataHandle = services.sharedData().acquire(spec.vmId(), quota);
      queueHandle = services.sharedQueues().acquire(spec.vmId(), quota);
    } catch (IllegalArgumentException e) {
      if (dataHandle != null) {
        dataHandle.close();
      }
      throw new PluginLoadException(FailState.UNABLE_TO_CREATE_VM, e.getMessage(), e);
    }
    VmIntegration integration = new VmIntegration(services, info, spec.memoryLimitBytes());
    try {
      WasmBase base = VmFactory.createBase(services, spec, integration);
      return new BaseVm(base, dataHandle, queueHandle);
    } catch (WasmException e) {
      dataHandle.close();
      queueHandle.close();
      if (lastRuntime || !(e instanceof UnsupportedModuleException)) {
        services.extension().onEvent(WasmEvent.of(e.failState()), info, e.getMessage());
      }
      throw new PluginLoadException(e.failState(), e.getMessage(), e);
    }
  }

  private void canary(WasmBase base, LoadedPlugin plugin) throws PluginLoadException {
    WasmBase clone;
    VmIntegration integration =
        new VmIntegration(services, plugin.info(), plugin.config().memoryLimitBytes());
    try {
      clone = base.cloneForWorker(integration);
    } catch (WasmException e) {
      throw new PluginLoadException(e.failState(), e.getMessage(), e);
    }
    try {
      // A canary that started and configured is discarded without proxy_on_done or
      // proxy_on_delete (cpp-host's WasmHandleBase::canary kills it).
      clone.canary(plugin);
    } catch (WasmException e) {
      services.extension().onEvent(WasmEvent.of(e.failState()), plugin.info(), e.getMessage());
      throw new PluginLoadException(e.failState(), e.getMessage(), e);
    } finally {
      clone.close();
    }
  }

  private static String vmKey(PluginConfig config, WasmVmProvider provider) {
    StringBuilder extra = new StringBuilder();
    new TreeMap<>(config.environment())
        .forEach((k, v) -> extra.append(k).append('=').append(v).append('\0'));
    extra.append('|').append(config.callDeadline().toNanos());
    extra.append('|').append(config.memoryLimitBytes()).append('|');
    config.allowedCapabilities().stream().sorted().forEach(c -> extra.append(c).append('\0'));
    return Keys.digest(
        Keys.utf8(config.vmId()),
        config.vmConfiguration(),
        config.code(),
        Keys.utf8(provider.name()),
        Keys.utf8(extra.toString()));
  }

  /**
   * Creates a worker: a set of VM clones that one thread (or one pool slot) drives.
   *
   * @return a new worker
   */
  public Worker newWorker() {
    checkOpen();
    Worker worker = new Worker(this, null);
    workers.add(worker);
    return worker;
  }

  /**
   * Creates a worker whose VMs receive their asynchronous events (ticks, shared-queue items,
   * callout answers and timeouts) on the given executor, as Envoy runs a plugin's timers on its
   * worker's event loop: give it the event loop that drives the worker's streams, so that every
   * call into the worker's VMs happens on that loop.
   *
   * @param eventLoop an executor that runs tasks one at a time, in order
   * @return a new worker
   */
  public Worker newWorker(java.util.concurrent.Executor eventLoop) {
    checkOpen();
    Worker worker = new Worker(this, Objects.requireNonNull(eventLoop, "eventLoop"));
    workers.add(worker);
    return worker;
  }

  /** Forgets a closed worker. */
  void forget(Worker worker) {
    workers.remove(worker);
  }

  /**
   * Creates a pool of workers for servers that run a request on any thread (thread-per-request,
   * virtual threads): streams spread over the pool's clones, each stream staying on the worker it
   * started on.
   *
   * @param size the number of workers, hence of clones per VM; at least 1
   * @return the pool
   */
  public WorkerPool newWorkerPool(int size) {
    checkOpen();
    return new WorkerPool(this, size);
  }

  /**
   * Starts a singleton service plugin: one VM for the process, with its root context started and
   * configured now, driven by ticks and shared queues, and never used by streams (Envoy's
   * WasmService).
   *
   * @param config the plugin
   * @return the running service
   * @throws PluginLoadException if the plugin cannot load or start
   */
  public ServicePlugin startService(PluginConfig config) throws PluginLoadException {
    checkOpen();
    return ServicePlugin.start(this, config);
  }

  WasmBase base(String vmKey) {
    synchronized (bases) {
      BaseVm entry = bases.get(vmKey);
      if (entry == null) {
        throw new IllegalStateException("the plugin's base VM was released");
      }
      return entry.wasm;
    }
  }

  /**
   * Releases a closed plugin: every worker shuts its root contexts down (cpp-host's per-thread
   * plugin handle going away), then the base VM is released when no plugin uses it any more.
   */
  void release(Plugin plugin) {
    plugins.remove(plugin);
    if (plugin.isAvailable()) {
      // Plugins of one key (root_id, configuration, vm_key) share their root context in a VM: it
      // is shut down when the last of them closes (a reload that loads the same plugin again
      // keeps serving on it).
      boolean last;
      synchronized (liveKeys) {
        last = liveKeys.merge(plugin.loaded().key(), -1, Integer::sum) == 0;
        if (last) {
          liveKeys.remove(plugin.loaded().key());
        }
      }
      if (last) {
        for (Worker worker : workers) {
          worker.remove(plugin.loaded());
        }
      }
      releaseBase(plugin.vmKey());
    }
  }

  /**
   * Registers a plugin whose code could not be had (a remote module that failed to download, a hash
   * mismatch): it loads nothing, and every stream through it gets the plugin's fail policy — fail
   * closed answers 503, fail open lets the stream through — as Envoy does for a plugin whose VM
   * could not be created. The caller reports the failure; this records the reason.
   *
   * @param config the plugin; its code is not used
   * @param reason why the plugin cannot run, for logs and {@link Plugin#unavailableReason()}
   * @return the plugin
   */
  public Plugin unavailable(PluginConfig config, String reason) {
    Objects.requireNonNull(config, "config");
    String runtime = config.runtime().isEmpty() ? "" : config.runtime();
    PluginInfo info = new PluginInfo(config.name(), config.rootId(), config.vmId(), runtime);
    LOG.warn("plugin {} {} {} is unavailable: {}", info.name(), info.rootId(), info.vmId(), reason);
    return track(new Plugin(this, LoadedPlugin.unavailable(config, info, reason), null));
  }

  private void releaseBase(String vmKey) {
    BaseVm closed = null;
    synchronized (bases) {
      BaseVm entry = bases.get(vmKey);
      if (entry != null && --entry.plugins == 0) {
        bases.remove(vmKey);
        closed = entry;
      }
    }
    if (closed != null) {
      closed.wasm.close();
      closed.dataHandle.close();
      closed.queueHandle.close();
    }
  }

  HostServices services() {
    return services;
  }

  /**
   * Returns the shared data store of this host.
   *
   * @return the store
   */
  public SharedData sharedData() {
    return services.sharedData();
  }

  /**
   * Returns the shared queues of this host.
   *
   * @return the queues
   */
  public SharedQueues sharedQueues() {
    return services.sharedQueues();
  }

  /**
   * Returns the extension events and metrics go to.
   *
   * @return the extension
   */
  public WasmExtension extension() {
    return services.extension();
  }

  private Plugin track(Plugin plugin) {
    plugins.add(plugin);
    return plugin;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(
          "the host is closed: it loads no plugins and makes no workers");
    }
  }

  /**
   * Closes the host: every worker shuts its root contexts down ({@code proxy_on_done}, {@code
   * proxy_on_delete}), every plugin and service is closed, every VM is closed (a root still waiting
   * for {@code proxy_done} too), timers stop, and the host's threads end (its own scheduler's, and
   * the one that enforces call deadlines). Streams still open get their plugin's fail policy from
   * then on, with {@link PluginFailure.Cause#UNAVAILABLE}; loading a plugin or making a worker
   * fails with an {@link IllegalStateException}. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Worker worker : List.copyOf(workers)) {
      worker.close();
    }
    for (Plugin plugin : List.copyOf(plugins)) {
      plugin.close();
    }
    List<BaseVm> left;
    synchronized (bases) {
      left = List.copyOf(bases.values());
      bases.clear();
    }
    for (BaseVm base : left) {
      base.wasm.close();
      base.dataHandle.close();
      base.queueHandle.close();
    }
    services.watchdog().close();
    if (ownedScheduler != null) {
      ownedScheduler.shutdownNow();
      ownedDelivery.shutdownNow();
    }
  }

  /** The host's deadline watchdog, for tests of its thread. */
  Watchdog watchdog() {
    return services.watchdog();
  }

  /**
   * Whether {@link #close()} was called.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return closed;
  }

  /** Configures a {@link ProxyWasmHost}. */
  public static final class Builder {
    private Runtimes runtimes;
    private WasmExtension extension;
    private Scheduler scheduler;
    private HostClock clock = HostClock.SYSTEM;
    private LogSink logSink = new Slf4jLogSink();
    private PropertyResolver properties = PropertyResolver.NONE;
    private HttpCallHandler httpCalls = HttpCallHandler.NONE;
    private GrpcCallHandler grpcCalls = GrpcCallHandler.NONE;
    private final Map<String, ForeignFunction> foreignFunctions = new HashMap<>();
    private final Map<String, Object> runtimeObjects = new HashMap<>();
    private LogLimit logLimit = LogLimit.DEFAULT;
    private StoreQuota storeQuota = StoreQuota.DEFAULT;
    private java.util.concurrent.Executor deliveryPool;
    private Duration tickBudget = Duration.ofMillis(500);

    private Builder() {}

    /**
     * Sets the pool on which each VM of a worker made with {@link #newWorker()} (and each service)
     * receives its asynchronous events, one at a time per VM, so that a plugin whose tick spins
     * only delays itself. By default the host runs its own pool when it runs its own scheduler, and
     * delivers inline on the scheduler's thread when it was given a scheduler (as tests with a
     * {@link ManualScheduler} want).
     *
     * @param pool the pool
     * @return this builder
     */
    public Builder deliveryPool(java.util.concurrent.Executor pool) {
      this.deliveryPool = Objects.requireNonNull(pool, "pool");
      return this;
    }

    /**
     * Sets how long a root context's ticks may run in each second of wall time (default 500 ms);
     * past it, its ticks in that second are skipped and counted ({@code
     * wasm.<runtime>.ticks_skipped}), so that a plugin cannot spend the whole of its worker on
     * ticks.
     *
     * @param perSecond the budget, more than zero
     * @return this builder
     */
    public Builder tickBudget(Duration perSecond) {
      if (perSecond.isZero() || perSecond.isNegative()) {
        throw new IllegalArgumentException("a tick budget must be more than zero: " + perSecond);
      }
      this.tickBudget = perSecond;
      return this;
    }

    /**
     * Sets what each vm_id may keep in shared data, and in the items waiting in its shared queues
     * (default {@link StoreQuota#DEFAULT}); past it the host call answers {@code InternalFailure}.
     * A plugin may ask for its own with {@link PluginConfig.Builder#storeQuota}.
     *
     * @param quota the quota, applied to each store separately
     * @return this builder
     */
    public Builder storeQuota(StoreQuota quota) {
      this.storeQuota = Objects.requireNonNull(quota, "quota");
      return this;
    }

    /**
     * Sets how much each plugin may log per second; lines over it are dropped, counted and reported
     * by a warning line (default {@link LogLimit#DEFAULT}).
     *
     * @param limit the limit
     * @return this builder
     */
    public Builder logLimit(LogLimit limit) {
      this.logLimit = Objects.requireNonNull(limit, "limit");
      return this;
    }

    /**
     * Uses the given runtimes instead of discovering them.
     *
     * @param runtimes the runtimes
     * @return this builder
     */
    public Builder runtimes(Runtimes runtimes) {
      this.runtimes = runtimes;
      return this;
    }

    /**
     * Uses the given extension instead of the discovered one.
     *
     * @param extension the extension
     * @return this builder
     */
    public Builder extension(WasmExtension extension) {
      this.extension = extension;
      return this;
    }

    /**
     * Uses the given scheduler for ticks, queue notifications and timeouts.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /**
     * Uses the given clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(HostClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sends plugin logs to the given sink instead of SLF4J.
     *
     * @param logSink the sink
     * @return this builder
     */
    public Builder logSink(LogSink logSink) {
      this.logSink = Objects.requireNonNull(logSink, "logSink");
      return this;
    }

    /**
     * Answers host-wide properties (node, cluster...) with the given resolver.
     *
     * @param properties the resolver
     * @return this builder
     */
    public Builder properties(PropertyResolver properties) {
      this.properties = Objects.requireNonNull(properties, "properties");
      return this;
    }

    /**
     * Sends plugins' HTTP callouts through the given handler. Without one, every upstream is
     * unknown and {@code proxy_http_call} returns {@code BadArgument}, as Envoy does for an unknown
     * cluster.
     *
     * @param httpCalls the handler
     * @return this builder
     */
    public Builder httpCalls(HttpCallHandler httpCalls) {
      this.httpCalls = Objects.requireNonNull(httpCalls, "httpCalls");
      return this;
    }

    /**
     * Opens plugins' gRPC callouts ({@code proxy_grpc_call}, {@code proxy_grpc_stream}) through the
     * given handler. Without one, every call is refused with {@code ParseFailure}.
     *
     * @param grpcCalls the handler
     * @return this builder
     */
    public Builder grpcCalls(GrpcCallHandler grpcCalls) {
      this.grpcCalls = Objects.requireNonNull(grpcCalls, "grpcCalls");
      return this;
    }

    /**
     * Offers an object to runtimes by name, through {@link
     * io.proxywasm.spi.WasmVmIntegration#lookup}. The Null VM looks Java plugins up here first, so
     * a test or an embedder can run a plugin instance that is not registered with ServiceLoader:
     * {@code offer("my-plugin", new MyPlugin())} with code {@code java:my-plugin}.
     *
     * @param name the name
     * @param object the object
     * @return this builder
     * @throws IllegalArgumentException if the name is already offered
     */
    public Builder offer(String name, Object object) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(object, "object");
      if (runtimeObjects.putIfAbsent(name, object) != null) {
        throw new IllegalArgumentException("an object is already offered as " + name);
      }
      return this;
    }

    /**
     * Registers a function plugins may call with {@code proxy_call_foreign_function}.
     *
     * @param name the name plugins use
     * @param function the function
     * @return this builder
     */
    public Builder foreignFunction(String name, ForeignFunction function) {
      foreignFunctions.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(function, "function"));
      return this;
    }

    /**
     * Builds the host.
     *
     * @return the host
     */
    public ProxyWasmHost build() {
      return new ProxyWasmHost(this);
    }
  }
}

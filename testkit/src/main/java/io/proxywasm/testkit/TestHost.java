package io.proxywasm.testkit;

import io.proxywasm.host.ForeignFunction;
import io.proxywasm.host.GrpcCallHandler;
import io.proxywasm.host.HttpCallHandler;
import io.proxywasm.host.LogSink;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.ServicePlugin;
import io.proxywasm.host.Worker;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmExtension;
import io.proxywasm.spi.WasmVmProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/**
 * A host under the test kit, as one proxy runs it: filters (HTTP and network) on one worker,
 * singleton services on their own VMs, shared data and queues between them, and time that only
 * moves when the test says so. Build one with {@link ProxyWasmTestKit#builder()}; close it at the
 * end of the test.
 *
 * <p>Nothing runs in the background. Callout answers, queue deliveries and resumes wait for {@link
 * #runDue()} or {@link #advance(Duration)}, which the test calls whenever it wants, including while
 * a stream is paused; a plugin that resumes a stream then moves the stream on before they return.
 */
public final class TestHost implements AutoCloseable {
  private final ProxyWasmHost host;
  private final ManualScheduler scheduler;
  private final ManualClock clock;
  private final RecordingLogSink logs;
  private final RecordingExtension extension;
  private final VmTracker tracker;
  private final Worker worker;
  private final Map<String, TestPlugin> plugins = new LinkedHashMap<>();
  private final Map<String, TestService> services = new LinkedHashMap<>();
  private final Set<TestHttpStream> streams = new CopyOnWriteArraySet<>();
  private boolean closed;

  TestHost(
      ProxyWasmHost host,
      ManualScheduler scheduler,
      ManualClock clock,
      RecordingLogSink logs,
      RecordingExtension extension,
      VmTracker tracker) {
    this.host = host;
    this.scheduler = scheduler;
    this.clock = clock;
    this.logs = logs;
    this.extension = extension;
    this.tracker = tracker;
    this.worker = host.newWorker();
  }

  TestPlugin addPlugin(PluginConfig config) throws PluginLoadException {
    if (plugins.containsKey(config.name()) || services.containsKey(config.name())) {
      throw new IllegalArgumentException("two plugins are named " + config.name());
    }
    Plugin plugin = phase(VmTracker.Phase.LOAD, () -> host.load(config));
    TestPlugin running = new TestPlugin(this, plugin, worker.handle(plugin));
    plugins.put(config.name(), running);
    return running;
  }

  TestService addService(PluginConfig config) throws PluginLoadException {
    if (plugins.containsKey(config.name()) || services.containsKey(config.name())) {
      throw new IllegalArgumentException("two plugins are named " + config.name());
    }
    ServicePlugin service = phase(VmTracker.Phase.SERVICE, () -> host.startService(config));
    TestService running = new TestService(this, service);
    services.put(config.name(), running);
    return running;
  }

  @FunctionalInterface
  private interface Load<T> {
    T run() throws PluginLoadException;
  }

  private <T> T phase(VmTracker.Phase phase, Load<T> load) throws PluginLoadException {
    try {
      return tracker.in(phase, load::run);
    } catch (PluginLoadException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Returns a filter plugin by name.
   *
   * @param name the name given to {@code plugin(p -> p.name(...))}
   * @return the plugin
   * @throws IllegalArgumentException naming the plugins there are
   */
  public TestPlugin plugin(String name) {
    TestPlugin p = plugins.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "no filter plugin named '" + name + "'; there are " + plugins.keySet());
    }
    return p;
  }

  /**
   * Returns a service plugin by name.
   *
   * @param name the name given to {@code service(p -> p.name(...))}
   * @return the service
   * @throws IllegalArgumentException naming the services there are
   */
  public TestService service(String name) {
    TestService s = services.get(name);
    if (s == null) {
      throw new IllegalArgumentException(
          "no service plugin named '" + name + "'; there are " + services.keySet());
    }
    return s;
  }

  /**
   * Returns the filter plugins, in the order they were added.
   *
   * @return the plugins
   */
  public List<TestPlugin> plugins() {
    return List.copyOf(plugins.values());
  }

  /**
   * Returns the service plugins, in the order they were added.
   *
   * @return the services
   */
  public List<TestService> services() {
    return List.copyOf(services.values());
  }

  /**
   * Delivers what is due now (queue items, callout answers) and lets the streams that were resumed
   * move on, until nothing is left to do.
   */
  public void runDue() {
    settle();
  }

  /**
   * Moves time forward: the clock, then the timers that fall due (ticks, timeouts), each followed
   * by what it made due.
   *
   * @param by how far
   */
  public void advance(Duration by) {
    clock.advance(by);
    scheduler.advance(by);
    settle();
  }

  void settle() {
    // Each round delivers what is due, then moves on the streams the plugin resumed meanwhile,
    // which may make more due; a plugin that keeps resuming itself is stopped after many rounds.
    for (int round = 0; round < 10_000; round++) {
      scheduler.runDue();
      boolean moved = false;
      for (TestHttpStream s : streams) {
        moved |= s.applyResumes();
      }
      if (!moved) {
        return;
      }
    }
    throw new IllegalStateException("the plugins kept resuming streams for 10000 rounds");
  }

  void opened(TestHttpStream stream) {
    streams.add(stream);
  }

  void closed(TestHttpStream stream) {
    streams.remove(stream);
  }

  /**
   * Returns what every plugin logged, with the VM and the context that wrote each line.
   *
   * @return the log sink
   */
  public RecordingLogSink logs() {
    return logs;
  }

  /**
   * Returns the events and metrics the plugins produced.
   *
   * @return the extension
   */
  public RecordingExtension extension() {
    return extension;
  }

  /**
   * Returns the clock plugins see.
   *
   * @return the clock
   */
  public ManualClock clock() {
    return clock;
  }

  /**
   * Returns the host, for shared data and queues.
   *
   * @return the host
   */
  public ProxyWasmHost host() {
    return host;
  }

  /**
   * Returns the worker the filters run on.
   *
   * @return the worker
   */
  public Worker worker() {
    return worker;
  }

  /**
   * Returns the scheduler of ticks, deliveries and timeouts.
   *
   * @return the scheduler
   */
  public ManualScheduler scheduler() {
    return scheduler;
  }

  /**
   * Ends the open streams, shuts every plugin down ({@code proxy_on_done}, {@code proxy_on_delete})
   * and releases the VMs.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<RuntimeException> problems = new ArrayList<>();
    for (TestHttpStream s : streams) {
      run(s::close, problems);
    }
    run(worker::close, problems);
    for (TestPlugin p : plugins.values()) {
      run(() -> p.plugin().close(), problems);
    }
    for (TestService s : services.values()) {
      run(() -> s.service().close(), problems);
    }
    run(host::close, problems);
    if (!problems.isEmpty()) {
      RuntimeException first = problems.get(0);
      problems.subList(1, problems.size()).forEach(first::addSuppressed);
      throw first;
    }
  }

  private static void run(Runnable r, List<RuntimeException> problems) {
    try {
      r.run();
    } catch (RuntimeException e) {
      problems.add(e);
    }
  }

  /**
   * Configures a {@link TestHost}: the host's options, then the plugins and services it runs. The
   * kit provides the scheduler, the clock, the log sink and the extension, so that time is manual
   * and everything is recorded; a sink or an extension given here receives everything too.
   */
  public static final class Builder {
    private final List<WasmVmProvider> runtimes = new ArrayList<>();
    private String defaultRuntime = "";
    private ManualClock clock;
    private WasmExtension extension;
    private LogSink logSink;
    // the options the kit passes on as they are; the kit sets the rest when it starts a host
    private final ProxyWasmHost.Builder host = ProxyWasmHost.builder();
    private final Map<String, JavaPlugin> offeredPlugins = new HashMap<>();
    final List<PluginSpec> plugins = new ArrayList<>();
    private final List<PluginSpec> services = new ArrayList<>();

    Builder() {}

    /**
     * Sets the runtime plugins run on unless they name one; by default the host picks (the Null VM
     * for Java plugins, the preferred wasm runtime otherwise).
     *
     * @param name the runtime's name, for example {@code chicory}
     * @return this builder
     */
    public Builder runtime(String name) {
      this.defaultRuntime = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Makes exactly these runtimes available, instead of the discovered ones.
     *
     * @param runtimes the runtimes
     * @return this builder
     */
    public Builder runtimes(WasmVmProvider... runtimes) {
      this.runtimes.clear();
      this.runtimes.addAll(List.of(runtimes));
      return this;
    }

    /**
     * Uses the given clock.
     *
     * @param clock the clock; by default a new {@link ManualClock}
     * @return this builder
     */
    public Builder clock(ManualClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Answers HTTP callouts with the given handler.
     *
     * @param httpCalls the handler; by default every upstream is unknown
     * @return this builder
     */
    public Builder httpCalls(HttpCallHandler httpCalls) {
      host.httpCalls(httpCalls);
      return this;
    }

    /**
     * Answers gRPC calls with the given handler.
     *
     * @param grpcCalls the handler; by default every cluster is unknown
     * @return this builder
     */
    public Builder grpcCalls(GrpcCallHandler grpcCalls) {
      host.grpcCalls(grpcCalls);
      return this;
    }

    /**
     * Answers HTTP and gRPC callouts from scripted upstreams.
     *
     * @param upstreams the upstreams
     * @return this builder
     */
    public Builder upstreams(FakeUpstreams upstreams) {
      return httpCalls(upstreams).grpcCalls(upstreams);
    }

    /**
     * Answers host-level properties (node, cluster...).
     *
     * @param properties the resolver
     * @return this builder
     */
    public Builder properties(PropertyResolver properties) {
      host.properties(properties);
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
      host.foreignFunction(name, function);
      return this;
    }

    /**
     * Passes events and metrics on to another extension, besides recording them.
     *
     * @param extension the extension
     * @return this builder
     */
    public Builder extension(WasmExtension extension) {
      this.extension = Objects.requireNonNull(extension, "extension");
      return this;
    }

    /**
     * Passes log lines on to another sink, besides recording them.
     *
     * @param logSink the sink
     * @return this builder
     */
    public Builder logSink(LogSink logSink) {
      this.logSink = Objects.requireNonNull(logSink, "logSink");
      return this;
    }

    /**
     * Offers an object to runtimes by name ({@link ProxyWasmHost.Builder#offer}).
     *
     * @param name the name
     * @param object the object
     * @return this builder
     */
    public Builder offer(String name, Object object) {
      host.offer(name, object);
      return this;
    }

    /**
     * Adds a filter plugin (HTTP or network: the test opens HTTP streams or TCP connections through
     * it) on the host's worker.
     *
     * @param plugin sets its name, code and configuration
     * @return this builder
     */
    public Builder plugin(Consumer<PluginSpec> plugin) {
      PluginSpec s = new PluginSpec("plugin-" + (plugins.size() + services.size() + 1));
      plugin.accept(s);
      plugins.add(s);
      return this;
    }

    /**
     * Adds a singleton service plugin (Envoy's WasmService): its own VM, started before the
     * filters, as Envoy starts bootstrap services before listeners.
     *
     * @param service sets its name, code and configuration
     * @return this builder
     */
    public Builder service(Consumer<PluginSpec> service) {
      PluginSpec s = new PluginSpec("service-" + (plugins.size() + services.size() + 1));
      service.accept(s);
      services.add(s);
      return this;
    }

    /**
     * Builds the host and starts the services, then the filters.
     *
     * @return the running host
     * @throws PluginLoadException naming the plugin and what was wrong with it
     */
    public TestHost start() throws PluginLoadException {
      ManualScheduler scheduler = new ManualScheduler();
      RecordingLogSink logs = new RecordingLogSink();
      VmTracker tracker = new VmTracker();
      logs.track(tracker);
      RecordingExtension recording = new RecordingExtension(extension);
      List<WasmVmProvider> available =
          runtimes.isEmpty() ? List.copyOf(Runtimes.discover().all().values()) : runtimes;
      WasmVmProvider[] wrapped =
          available.stream().map(tracker::wrap).toArray(WasmVmProvider[]::new);
      LogSink forward = logSink;
      ManualClock theClock = clock != null ? clock : new ManualClock();
      ProxyWasmHost.Builder hostBuilder =
          host.runtimes(Runtimes.of(wrapped))
              .scheduler(scheduler)
              .clock(theClock)
              .logSink(forward == null ? logs : both(logs, forward))
              .extension(recording);
      for (PluginSpec s : concat()) {
        // offered once: a kit may start again with the same plugin instance
        if (s.offered != null && offeredPlugins.put(s.offered.name(), s.offered) != s.offered) {
          hostBuilder.offer(s.offered.name(), s.offered);
        }
      }
      TestHost testHost =
          new TestHost(hostBuilder.build(), scheduler, theClock, logs, recording, tracker);
      try {
        for (PluginSpec s : services) {
          testHost.addService(s.build(defaultRuntime));
        }
        for (PluginSpec s : plugins) {
          testHost.addPlugin(s.build(defaultRuntime));
        }
        return testHost;
      } catch (PluginLoadException | RuntimeException e) {
        testHost.close();
        throw e;
      }
    }

    /** A sink that gives every line, and every count of dropped lines, to both. */
    private static LogSink both(LogSink first, LogSink second) {
      return new LogSink() {
        @Override
        public void log(PluginInfo plugin, LogLevel level, String message) {
          first.log(plugin, level, message);
          second.log(plugin, level, message);
        }

        @Override
        public void dropped(PluginInfo plugin, LogLevel level, LogLevel pluginLevel) {
          first.dropped(plugin, level, pluginLevel);
          second.dropped(plugin, level, pluginLevel);
        }
      };
    }

    private List<PluginSpec> concat() {
      List<PluginSpec> all = new ArrayList<>(services);
      all.addAll(plugins);
      return all;
    }
  }
}

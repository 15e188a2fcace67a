package io.proxywasm.testkit;

import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.ServicePlugin;
import io.proxywasm.host.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

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
}

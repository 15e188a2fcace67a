package io.proxywasm.testkit;

import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import java.time.Duration;

/** A plugin running under the test kit. Close it at the end of the test. */
public final class TestPlugin implements AutoCloseable {
  private final ProxyWasmHost host;
  private final Plugin plugin;
  private final Worker worker;
  private final PluginHandle handle;
  private final ManualScheduler scheduler;
  private final ManualClock clock;
  private final RecordingLogSink logs;
  private final RecordingExtension extension;

  TestPlugin(
      ProxyWasmHost host,
      Plugin plugin,
      ManualScheduler scheduler,
      ManualClock clock,
      RecordingLogSink logs,
      RecordingExtension extension) {
    this.host = host;
    this.plugin = plugin;
    this.scheduler = scheduler;
    this.clock = clock;
    this.logs = logs;
    this.extension = extension;
    this.worker = host.newWorker();
    this.handle = worker.handle(plugin);
    if (handle.rootContextId().isEmpty()) {
      close();
      throw new IllegalStateException(
          "plugin " + plugin.info().name() + " could not start on its worker: see events()");
    }
  }

  /**
   * Starts an HTTP exchange through the plugin.
   *
   * @return a builder for the exchange
   */
  public HttpExchange http() {
    return new HttpExchange(handle, logs, scheduler);
  }

  /**
   * Moves time forward: the clock, then the timers that fall due (ticks, timeouts).
   *
   * @param by how far
   */
  public void advance(Duration by) {
    clock.advance(by);
    scheduler.advance(by);
  }

  /** Delivers what is due now: queue items, callout answers. */
  public void runDue() {
    scheduler.runDue();
  }

  /**
   * Returns what the plugin logged.
   *
   * @return the log sink
   */
  public RecordingLogSink logs() {
    return logs;
  }

  /**
   * Returns the events and metrics the plugin produced.
   *
   * @return the extension
   */
  public RecordingExtension extension() {
    return extension;
  }

  /**
   * Returns the handle on the plugin's worker: ticks, foreign function calls, TCP streams.
   *
   * @return the handle
   */
  public PluginHandle handle() {
    return handle;
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
   * Returns the loaded plugin.
   *
   * @return the plugin
   */
  public Plugin plugin() {
    return plugin;
  }

  /** Shuts the plugin down and releases its VMs. */
  @Override
  public void close() {
    worker.close();
    plugin.close();
    host.close();
  }
}

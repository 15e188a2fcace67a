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

  /**
   * Runs {@code proxy_on_tick} now, as the plugin's timer would, and delivers what is due.
   *
   * @throws IllegalStateException if the plugin cannot run on its worker
   */
  public void tick() {
    if (!handle.tick()) {
      throw new IllegalStateException("plugin " + plugin.info().name() + " cannot run: see events");
    }
    scheduler.runDue();
  }

  /**
   * Puts an item on a shared queue, as another plugin or the embedder would, and delivers it: the
   * plugin that registered the queue gets {@code proxy_on_queue_ready}.
   *
   * @param vmId the vm_id the queue belongs to (the plugin's own is {@code plugin().info().vmId()})
   * @param queue the queue name
   * @param item the item
   * @throws IllegalArgumentException if no such queue is registered
   */
  public void enqueue(String vmId, String queue, byte[] item) {
    int token = host.sharedQueues().resolve(vmId, queue);
    if (token == 0) {
      throw new IllegalArgumentException(
          "no queue '"
              + queue
              + "' in vm_id '"
              + vmId
              + "'; registered: "
              + host.sharedQueues().names(vmId));
    }
    io.proxywasm.spi.WasmResult r = host.sharedQueues().enqueue(token, item);
    if (r != io.proxywasm.spi.WasmResult.OK) {
      throw new IllegalStateException("enqueue on " + queue + " failed: " + r);
    }
    scheduler.runDue();
  }

  /**
   * Calls a function the plugin exports to the host ({@code proxy_on_foreign_function}) and
   * delivers what is due.
   *
   * @param functionId the function's id
   * @param arguments its argument bytes
   * @throws IllegalStateException if the plugin cannot run on its worker
   */
  public void callForeignFunction(int functionId, byte[] arguments) {
    if (!handle.callForeignFunction(functionId, arguments)) {
      throw new IllegalStateException("plugin " + plugin.info().name() + " cannot run: see events");
    }
    scheduler.runDue();
  }

  /**
   * Opens a TCP connection through the plugin.
   *
   * @return the connection, already past {@code proxy_on_new_connection}
   */
  public TcpConnection tcp() {
    return new TcpConnection(handle, scheduler);
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

package io.proxywasm.testkit;

import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.ProxyWasmHost;
import java.time.Duration;

/**
 * A filter plugin running under the test kit, on the kit's worker. Close it at the end of the test
 * when it came from {@link ProxyWasmTestKit#start()}; one that came from a {@link TestHost} is
 * closed with its host.
 */
public final class TestPlugin implements AutoCloseable {
  private final TestHost host;
  private final Plugin plugin;
  private final PluginHandle handle;
  private boolean ownsHost;

  TestPlugin(TestHost host, Plugin plugin, PluginHandle handle) {
    this.host = host;
    this.plugin = plugin;
    this.handle = handle;
    if (handle.rootContextId().isEmpty()) {
      throw new IllegalStateException(
          "plugin " + plugin.info().name() + " could not start on its worker: see events()");
    }
  }

  void ownHost() {
    this.ownsHost = true;
  }

  /**
   * Starts an HTTP exchange through the plugin, run in one call: request, what is due, then the
   * response if the request was let through.
   *
   * @return a builder for the exchange
   */
  public HttpExchange http() {
    return new HttpExchange(this);
  }

  /**
   * Opens an HTTP stream through the plugin, driven one step at a time as a proxy would: each step
   * returns the plugin's decision, and the test decides what happens between steps.
   *
   * @return the stream; close it to end it
   */
  public TestHttpStream openHttp() {
    return openHttp(PropertyResolver.NONE);
  }

  /**
   * Opens an HTTP stream with stream properties ({@code request.path}, {@code source.address}...).
   *
   * @param properties the stream's properties
   * @return the stream; close it to end it
   */
  public TestHttpStream openHttp(PropertyResolver properties) {
    return new TestHttpStream(host, handle, properties);
  }

  /**
   * Moves time forward: the clock, then the timers that fall due (ticks, timeouts).
   *
   * @param by how far
   */
  public void advance(Duration by) {
    host.advance(by);
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
    host.settle();
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
    ProxyWasmHost h = host.host();
    int token = h.sharedQueues().resolve(vmId, queue);
    if (token == 0) {
      throw new IllegalArgumentException(
          "no queue '"
              + queue
              + "' in vm_id '"
              + vmId
              + "'; registered: "
              + h.sharedQueues().names(vmId));
    }
    io.proxywasm.spi.WasmResult r = h.sharedQueues().enqueue(token, item);
    if (r != io.proxywasm.spi.WasmResult.OK) {
      throw new IllegalStateException("enqueue on " + queue + " failed: " + r);
    }
    host.settle();
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
    host.settle();
  }

  /**
   * Opens a TCP connection through the plugin (as a network filter).
   *
   * @return the connection, already past {@code proxy_on_new_connection}
   */
  public TcpConnection tcp() {
    return tcp(PropertyResolver.NONE);
  }

  /**
   * Opens a TCP connection with connection properties.
   *
   * @param properties the connection's properties ({@code source.address}...)
   * @return the connection, already past {@code proxy_on_new_connection}
   */
  public TcpConnection tcp(PropertyResolver properties) {
    return new TcpConnection(host, handle, properties);
  }

  /** Delivers what is due now: queue items, callout answers, and the resumes they cause. */
  public void runDue() {
    host.settle();
  }

  /**
   * Returns what the plugins of the host logged (a kit with one plugin: what this plugin logged),
   * with the VM and context of each line.
   *
   * @return the log sink
   */
  public RecordingLogSink logs() {
    return host.logs();
  }

  /**
   * Returns the events and metrics the plugin produced.
   *
   * @return the extension
   */
  public RecordingExtension extension() {
    return host.extension();
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
    return host.host();
  }

  /**
   * Returns the kit's host this plugin runs in, with the other plugins and services.
   *
   * @return the test host
   */
  public TestHost testHost() {
    return host;
  }

  /**
   * Returns the id of the plugin's root context on the kit's worker.
   *
   * @return the id
   */
  public int rootContextId() {
    return handle.rootContextId().orElse(0);
  }

  /**
   * Returns the loaded plugin.
   *
   * @return the plugin
   */
  public Plugin plugin() {
    return plugin;
  }

  /**
   * Shuts the plugin down and releases its VMs, with the kit's host when the plugin came from
   * {@link ProxyWasmTestKit#start()}; a plugin of a {@link TestHost} is closed with the host.
   */
  @Override
  public void close() {
    if (ownsHost) {
      host.close();
    }
  }
}

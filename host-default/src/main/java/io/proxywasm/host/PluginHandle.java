package io.proxywasm.host;

import io.proxywasm.host.internal.abi.HttpState;
import io.proxywasm.host.internal.abi.TcpState;
import io.proxywasm.host.internal.vm.Context;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A plugin as one {@link Worker} runs it: opens streams on the worker's clone of the plugin's VM.
 * If the clone has failed, the next stream gets a fresh one.
 */
public final class PluginHandle {
  private final Worker worker;
  private final Plugin plugin;

  PluginHandle(Worker worker, Plugin plugin) {
    this.worker = worker;
    this.plugin = plugin;
  }

  /**
   * Returns the plugin.
   *
   * @return the plugin
   */
  public Plugin plugin() {
    return plugin;
  }

  /**
   * Opens an HTTP stream with no stream properties.
   *
   * @param listener receives the plugin's decisions
   * @return the stream
   */
  public HttpStream newHttpStream(HttpStreamListener listener) {
    return newHttpStream(listener, PropertyResolver.NONE);
  }

  /**
   * Opens an HTTP stream. If the plugin cannot run on this worker, the stream applies the plugin's
   * fail policy to every event.
   *
   * @param listener receives the plugin's decisions
   * @param properties the stream's attributes ({@code request.path}, {@code source.address}...)
   * @return the stream
   */
  public HttpStream newHttpStream(HttpStreamListener listener, PropertyResolver properties) {
    HttpState state = new HttpState(listener, properties);
    // null if the plugin cannot run on this worker: the stream applies the fail policy
    return new HttpStream(worker.openStream(plugin, state), state, plugin.config());
  }

  /**
   * Returns the id of the plugin's root context on this worker, starting it if needed.
   *
   * @return the id, or empty if the plugin cannot run on this worker
   */
  public Optional<Integer> rootContextId() {
    return root().map(Context::id);
  }

  /**
   * Runs {@code proxy_on_tick} for the plugin's root context now, as a timer would.
   *
   * @return false if the plugin cannot run on this worker
   */
  public boolean tick() {
    return runOnRoot(Context::onTick);
  }

  /**
   * Calls the plugin's {@code proxy_on_foreign_function} on its root context (ABI 0.2.0 and later),
   * with the data readable as the call-data buffer.
   *
   * @param functionId the function id the plugin expects
   * @param data the data
   * @return false if the plugin cannot run on this worker
   */
  public boolean callForeignFunction(int functionId, byte[] data) {
    byte[] copy = data.clone();
    return runOnRoot(root -> root.onForeignFunction(functionId, copy));
  }

  /**
   * Opens a TCP stream.
   *
   * @param listener receives the plugin's decisions
   * @param properties the connection's attributes
   * @return the stream
   */
  public TcpStream newTcpStream(TcpStreamListener listener, PropertyResolver properties) {
    TcpState state = new TcpState(listener, properties);
    // null if the plugin cannot run on this worker: the stream applies the fail policy
    return new TcpStream(worker.openStream(plugin, state), state, plugin.config());
  }

  /**
   * Returns the size of the linear memory of the plugin's VM on this worker.
   *
   * @return bytes, or empty if the plugin cannot run on this worker
   */
  public Optional<Long> memorySize() {
    return root().map(r -> r.wasm().memorySize());
  }

  /**
   * Returns the tick period the plugin asked for.
   *
   * @return milliseconds, 0 when off; empty if the plugin cannot run on this worker
   */
  public Optional<Long> tickPeriodMillis() {
    return root().map(r -> r.wasm().locked(r::tickPeriodMillis));
  }

  /** Runs a call on the plugin's root context, in its VM; false if it cannot run on this worker. */
  private boolean runOnRoot(Consumer<Context> call) {
    Context root = worker.root(plugin);
    if (root != null) {
      root.wasm().lockedRun(() -> call.accept(root));
    }
    return root != null;
  }

  /** The plugin's root context on this worker, started if needed; empty if it cannot run here. */
  private Optional<Context> root() {
    return Optional.ofNullable(worker.root(plugin));
  }
}

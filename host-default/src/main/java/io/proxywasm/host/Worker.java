package io.proxywasm.host;

import io.proxywasm.host.internal.vm.Context;
import io.proxywasm.host.internal.vm.LoadedPlugin;
import io.proxywasm.host.internal.vm.StreamRole;
import io.proxywasm.host.internal.vm.VmIntegration;
import io.proxywasm.host.internal.vm.WasmBase;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmException;
import java.util.HashMap;
import java.util.Map;

/**
 * The VMs one worker runs: one clone of each base VM it needs, shared by the plugins of that VM on
 * this worker, with one root context per plugin. Give each event-loop thread its own worker, or
 * keep a pool of workers for thread-per-request servers; a stream stays on the worker that opened
 * it. A clone that fails is replaced by a fresh one on next use.
 *
 * <p>Thread-safe: every call into a clone is serialised on that clone.
 */
public final class Worker implements AutoCloseable {
  private final ProxyWasmHost host;
  private final Map<String, WasmBase> clones = new HashMap<>();
  private boolean closed;

  /** Where this worker's VMs receive ticks, queue items and callout answers; null: the host's. */
  private final java.util.concurrent.Executor executor;

  Worker(ProxyWasmHost host, java.util.concurrent.Executor executor) {
    this.host = host;
    this.executor = executor;
  }

  /**
   * Returns this worker's handle on a plugin.
   *
   * @param plugin a plugin loaded by the same host
   * @return the handle
   */
  public PluginHandle handle(Plugin plugin) {
    if (plugin.host() != host) {
      throw new IllegalArgumentException(plugin + " was loaded by another host");
    }
    return new PluginHandle(this, plugin);
  }

  /**
   * Returns the plugin's root context in the live clone (whose VM is {@link Context#wasm()}),
   * creating or replacing the clone as needed.
   *
   * @param plugin the plugin
   * @return the root context, or null if the plugin cannot start on this worker (the failure was
   *     reported to the extension)
   */
  synchronized Context root(Plugin plugin) {
    return enter(plugin, null);
  }

  /**
   * Opens a stream's context on the plugin's root context in the live clone, creating or replacing
   * the clone and starting the root as {@link #root} does: the worker's lock, then the clone's lock
   * once for both the root and the stream.
   *
   * @param plugin the plugin
   * @param stream the stream the context serves
   * @return the stream's context (whose VM is {@link Context#wasm()}), or null if the plugin cannot
   *     start on this worker
   */
  synchronized Context newStream(Plugin plugin, StreamRole stream) {
    return enter(plugin, stream);
  }

  /**
   * The plugin's root context in the live clone, or a new stream context under it if {@code stream}
   * is not null; null if the plugin cannot start on this worker. Under this worker's lock.
   */
  private Context enter(Plugin plugin, StreamRole stream) {
    if (closed) {
      throw new IllegalStateException("worker is closed");
    }
    if (plugin.isClosed()) {
      throw new IllegalStateException(plugin + " is closed");
    }
    LoadedPlugin loaded = plugin.loaded();
    if (loaded.unavailable() != null) {
      return null;
    }
    WasmBase clone = clones.get(loaded.vmKey());
    boolean reloading = clone != null && clone.isFailed();
    if (reloading) {
      // A failed clone is never entered again; streams still open on it only see its failure.
      clones.remove(loaded.vmKey());
      clone.close();
      clone = null;
    }
    try {
      if (clone == null) {
        WasmBase base = host.base(loaded.vmKey());
        VmIntegration integration =
            new VmIntegration(host.services(), loaded.info(), loaded.config().memoryLimitBytes());
        clone = base.cloneForWorker(integration);
        if (executor != null) {
          clone.deliverOn(executor);
        }
        clones.put(loaded.vmKey(), clone);
        if (reloading) {
          host.services()
              .extension()
              .onEvent(
                  WasmEvent.VM_RELOAD_SUCCESS,
                  loaded.info(),
                  "a fresh clone replaced a failed one");
        }
      }
      return stream == null ? clone.rootFor(loaded) : clone.newStream(loaded, stream);
    } catch (WasmException e) {
      host.services()
          .extension()
          .onEvent(WasmEvent.of(e.failState()), loaded.info(), e.getMessage());
      if (reloading) {
        host.services()
            .extension()
            .onEvent(WasmEvent.VM_RELOAD_FAILURE, loaded.info(), e.getMessage());
      }
      return null;
    }
  }

  /**
   * Returns how many contexts (root and stream) are alive in this worker's VMs: a number that must
   * come back to the number of root contexts once every stream is closed.
   *
   * @return the count
   */
  public synchronized int liveContexts() {
    int n = 0;
    for (WasmBase clone : clones.values()) {
      n += clone.liveContexts();
    }
    return n;
  }

  /**
   * Shuts down a closed plugin's root context on this worker: its ticks stop, {@code proxy_on_done}
   * and {@code proxy_on_delete} run, and the clone closes once no plugin uses it.
   *
   * @param plugin the plugin
   */
  synchronized void remove(LoadedPlugin plugin) {
    WasmBase clone = clones.get(plugin.vmKey());
    if (clone == null) {
      return;
    }
    if (clone.removeRoot(plugin)) {
      clones.remove(plugin.vmKey());
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    host.forget(this);
    for (WasmBase clone : clones.values()) {
      // The host going away waits for no proxy_done; otherwise a root context that returned false
      // from proxy_on_done keeps its VM until proxy_done.
      clone.shutdown(host.isClosed());
    }
    clones.clear();
  }
}

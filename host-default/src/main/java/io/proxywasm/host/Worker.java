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

  /**
   * The root contexts streams open under, by plugin, read without the worker's lock: a stream opens
   * on the entry of its plugin while the worker, the plugin and the entry's clone are open and the
   * clone has not failed, and takes the worker's lock ({@link #enter}) only otherwise. Replaced as
   * a whole under the worker's lock whenever a root starts, a clone is replaced or a root is
   * removed.
   */
  private volatile Ready[] ready = new Ready[0];

  /** A plugin's root context in this worker's clone of its VM. */
  private record Ready(LoadedPlugin plugin, Context root) {}

  private volatile boolean closed;

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
    return enter(plugin);
  }

  /**
   * Opens a stream's context on the plugin's root context in the live clone: without any lock while
   * the plugin's root is running in a healthy clone (every stream but the first of a plugin on this
   * worker, and the first after a failure), else finding the root as {@link #root} does. The
   * context takes its id from the clone's atomic counter now, in the order streams open in, and
   * joins the VM's table under its lock at the stream's first event ({@link StreamBase}), so that
   * opening a stream takes no lock.
   *
   * <p>A stream that opens here while the plugin or the worker is closing, or while its clone
   * fails, is one opened just before: its first event finds the VM closed (the fail policy) or
   * failed (the fail policy), or runs under the root that was live when it opened, as a stream
   * opened before the close does.
   *
   * @param plugin the plugin
   * @param stream the stream the context serves
   * @return the stream's context (whose VM is {@link Context#wasm()}), or null if the plugin cannot
   *     start on this worker
   */
  Context openStream(Plugin plugin, StreamRole stream) {
    Context root = streamRoot(plugin);
    return root == null ? null : Context.open(root, stream);
  }

  /** The root context a new stream of the plugin opens under; see {@link #openStream}. */
  private Context streamRoot(Plugin plugin) {
    if (!closed && !plugin.isClosed()) {
      LoadedPlugin loaded = plugin.loaded();
      for (Ready entry : ready) {
        if (entry.plugin == loaded) {
          WasmBase clone = entry.root.wasm();
          if (!clone.isFailed() && !clone.isClosed()) {
            return entry.root;
          }
          break;
        }
      }
    }
    return root(plugin);
  }

  /**
   * The plugin's root context in the live clone; null if the plugin cannot start on this worker.
   * Under this worker's lock.
   */
  private Context enter(Plugin plugin) {
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
      forget(clone, null);
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
      Context root = clone.rootFor(loaded);
      remember(loaded, root);
      return root;
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
   * come back to the number of root contexts once every stream is closed. A stream counts from its
   * first event: one that no event entered yet holds nothing in the VM.
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
    forget(clone, plugin.key());
    if (clone.removeRoot(plugin)) {
      clones.remove(plugin.vmKey());
      forget(clone, null);
    }
  }

  /** Publishes a plugin's live root for {@link #openStream}. Under this worker's lock. */
  private void remember(LoadedPlugin plugin, Context root) {
    Ready[] now = ready;
    for (int i = 0; i < now.length; i++) {
      if (now[i].plugin == plugin) {
        if (now[i].root != root) {
          Ready[] next = now.clone();
          next[i] = new Ready(plugin, root);
          ready = next;
        }
        return;
      }
    }
    Ready[] next = java.util.Arrays.copyOf(now, now.length + 1);
    next[now.length] = new Ready(plugin, root);
    ready = next;
  }

  /**
   * Withdraws from {@link #openStream} the roots in a clone: those of one plugin key, or all of
   * them if {@code key} is null. Under this worker's lock.
   */
  private void forget(WasmBase clone, String key) {
    ready =
        java.util.Arrays.stream(ready)
            .filter(
                e -> e.root.wasm() != clone || (key != null && !e.root.plugin().key().equals(key)))
            .toArray(Ready[]::new);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ready = new Ready[0];
    host.forget(this);
    for (WasmBase clone : clones.values()) {
      // The host going away waits for no proxy_done; otherwise a root context that returned false
      // from proxy_on_done keeps its VM until proxy_done.
      clone.shutdown(host.isClosed());
    }
    clones.clear();
  }
}

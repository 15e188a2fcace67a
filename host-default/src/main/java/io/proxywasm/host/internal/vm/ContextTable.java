package io.proxywasm.host.internal.vm;

import io.proxywasm.spi.FailState;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.support.ContextMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The contexts of one VM: their ids, the VM context (id 0), one root context per plugin key, and
 * the roots that returned false from {@code proxy_on_done} and wait for {@code proxy_done}. Starts
 * and shuts roots down as cpp-host's {@code WasmBase} does. Used under the VM's lock, but for
 * {@link #reserveId}: a stream takes its id when it opens, without entering the VM.
 */
final class ContextTable {
  private final WasmBase wasm;
  private final ContextMap<Context> contexts = new ContextMap<>();
  private final Map<String, Context> roots = new HashMap<>();

  /** Root contexts that returned false from {@code proxy_on_done}, by plugin key. */
  private final Map<String, Context> pendingDone = new HashMap<>();

  /** The last callout token of each kind (HTTP call 0, gRPC call 1, gRPC stream 2). */
  private final int[] calloutTokens = {0, 1, 2};

  /** The VM context (id 0): what {@code proxy_set_effective_context(0)} selects. */
  private final Context vmContext;

  /**
   * The next context id (its low 31 bits; 0 is skipped): atomic, as streams take ids without the
   * VM's lock ({@link #reserveId}) while roots take them under it ({@link #allocateId}).
   */
  private final AtomicInteger nextContextId = new AtomicInteger(1);

  private boolean closeWhenDone;

  ContextTable(WasmBase wasm) {
    this.wasm = wasm;
    this.vmContext = Context.vmContext(wasm);
  }

  Context vmContext() {
    return vmContext;
  }

  /**
   * Takes the next context id (1 and up, wrapping after 2<sup>31</sup> - 1) without the VM's lock:
   * what a stream opening takes, so that ids follow the order streams open in, whatever order their
   * first events come in. Whether the id is free is seen when the stream joins the table ({@link
   * Context#join}); before wrapping it always is.
   *
   * @return the id, never 0
   */
  int reserveId() {
    int id;
    do {
      id = nextContextId.getAndIncrement() & Integer.MAX_VALUE;
    } while (id == 0);
    return id;
  }

  /** Takes the next context id no live context has (1 and up, wrapping). Under the VM's lock. */
  int allocateId() {
    for (int i = 0; i < Integer.MAX_VALUE; i++) {
      int id = reserveId();
      if (!contexts.containsKey(id)) {
        return id;
      }
    }
    throw new IllegalStateException("no free context id");
  }

  void register(Context ctx) {
    contexts.put(ctx.id(), ctx);
  }

  void unregister(Context ctx) {
    contexts.remove(ctx.id());
  }

  Context get(int id) {
    return contexts.get(id);
  }

  boolean contains(int id) {
    return contexts.containsKey(id);
  }

  /** The number of live contexts, root contexts included. */
  int size() {
    return contexts.size();
  }

  List<Context> live() {
    return contexts.values();
  }

  /**
   * Returns the next callout token of a kind, numbered per VM: {@code 4n + kind}, as cpp-host's
   * {@code nextHttpCallId}, {@code nextGrpcCallId} and {@code nextGrpcStreamId} number them.
   *
   * @param kind 0 for HTTP calls, 1 for gRPC calls, 2 for gRPC streams
   * @return the token, never 0
   */
  int nextCalloutToken(int kind) {
    int next = calloutTokens[kind] + 4;
    if (next <= 0) {
      next = 4 + kind; // after 2^31 callouts, start again
    }
    calloutTokens[kind] = next;
    return next;
  }

  /**
   * Starts the plugin's root context in this VM, or returns the one already started for it.
   *
   * @throws WasmException with {@link FailState#START_FAILED} if {@code proxy_on_vm_start} fails
   */
  Context startRoot(LoadedPlugin plugin) {
    Context root = roots.get(plugin.key());
    if (root != null) {
      return root;
    }
    root = Context.newRoot(wasm, plugin);
    roots.put(plugin.key(), root);
    if (!root.rootState().onStart() || wasm.isFailed()) {
      throw new WasmException(
          FailState.START_FAILED,
          "Failed to start Wasm plugin " + plugin.info().name() + wasm.failures().describe());
    }
    return root;
  }

  /**
   * Runs {@code proxy_on_configure} for the plugin's root context.
   *
   * @throws WasmException with {@link FailState#CONFIGURE_FAILED} if the plugin rejects it
   */
  void configure(Context root) {
    if (!root.rootState().onConfigure() || wasm.isFailed()) {
      throw new WasmException(
          FailState.CONFIGURE_FAILED,
          "Failed to configure Wasm plugin "
              + root.plugin().info().name()
              + wasm.failures().describe());
    }
  }

  /** The plugin's root context, started and configured first if needed (a worker's entry). */
  Context rootFor(LoadedPlugin plugin) {
    Context root = roots.get(plugin.key());
    if (root == null) {
      root = startRoot(plugin);
      configure(root);
    }
    return root;
  }

  /**
   * Starts and configures a load-time canary; a rejected configuration shuts its root down (the
   * handle's destructor in cpp-host).
   */
  void canary(LoadedPlugin plugin) {
    try {
      configure(startRoot(plugin));
    } catch (WasmException e) {
      if (e.failState() == FailState.CONFIGURE_FAILED && !wasm.isFailed()) {
        shutdownAll();
      }
      throw e;
    }
  }

  /**
   * Shuts down a closed plugin's root, and closes the VM once no plugin uses it.
   *
   * @return true if no plugin uses the VM any more
   */
  boolean remove(LoadedPlugin plugin) {
    Context root = roots.get(plugin.key());
    if (root != null) {
      shutdownRoot(root);
    }
    if (hasRoots()) {
      return false;
    }
    closeWhenDone();
    return true;
  }

  /** Shuts every root down and closes the VM: now, or once no root waits for proxy_done. */
  void shutdown(boolean now) {
    shutdownAll();
    if (now) {
      wasm.close();
    } else {
      closeWhenDone();
    }
  }

  /**
   * Shuts down every root context.
   *
   * @return true if every root context is deleted; false if some wait for {@code proxy_done}
   */
  boolean shutdownAll() {
    for (Context root : new ArrayList<>(roots.values())) {
      shutdownRoot(root);
    }
    return pendingDone.isEmpty();
  }

  /**
   * Shuts one root context down: {@code proxy_on_done}, then {@code proxy_on_delete} (which stops
   * its ticks and drops its pending callouts) unless the plugin asked to finish later with {@code
   * proxy_done}, in which case it keeps its ticks until then, as in Envoy.
   */
  void shutdownRoot(Context root) {
    roots.remove(root.plugin().key());
    if (root.onDone()) {
      root.onDelete();
    } else {
      pendingDone.put(root.plugin().key(), root);
    }
  }

  /** Whether any root context is alive or waiting for {@code proxy_done}. */
  boolean hasRoots() {
    return !roots.isEmpty() || !pendingDone.isEmpty();
  }

  /** Closes the VM once no root waits for {@code proxy_done} any more: now, or at the last one. */
  void closeWhenDone() {
    closeWhenDone = true;
    if (pendingDone.isEmpty()) {
      wasm.close();
    }
  }

  /**
   * Finishes the shutdown of a root context that returned false from {@code proxy_on_done}.
   *
   * @param ctx the context calling {@code proxy_done}
   * @return whether the context was waiting to finish
   */
  boolean done(Context ctx) {
    // cpp-host's WasmBase::done: the pending root is found by the plugin's key, from any context
    Context root = ctx.plugin() == null ? null : pendingDone.remove(ctx.plugin().key());
    if (root == null) {
      return false;
    }
    wasm.calls()
        .afterCall(
            () -> {
              root.onDelete();
              if (closeWhenDone && pendingDone.isEmpty()) {
                wasm.close();
              }
            });
    return true;
  }
}

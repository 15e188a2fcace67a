package io.proxywasm.nullvm;

import io.proxywasm.sdk.Context;
import io.proxywasm.sdk.HostCallException;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.sdk.StreamContext;
import io.proxywasm.sdk.engine.Binder;
import io.proxywasm.sdk.engine.PluginHost;
import io.proxywasm.spi.HostAbi;
import io.proxywasm.spi.HostCall;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.WasmResult;
import io.proxywasm.spi.support.ContextMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns the host's callbacks into calls on a Java plugin's context objects, and tracks which
 * context the host treats as effective so that a host call made through another context switches to
 * it first. One per VM; the host never calls a VM from two threads at once.
 */
final class Dispatcher implements PluginHost {
  private final HostAbi abi;
  private final JavaPlugin plugin;
  private final ContextMap<Context> contexts = new ContextMap<>();

  /** Stream contexts created by the host whose kind (HTTP or TCP) the first callback decides. */
  private final ContextMap<RootContext> pending = new ContextMap<>();

  private final Map<Integer, Integer> calloutOwners = new HashMap<>();
  private int depth;
  private int effective;

  Dispatcher(HostAbi abi, JavaPlugin plugin) {
    this.abi = abi;
    this.plugin = plugin;
  }

  /**
   * Returns the host during a callback.
   *
   * @return the host ABI
   */
  @Override
  public HostAbi host() {
    if (depth == 0) {
      throw new IllegalStateException(
          "Java plugin '"
              + plugin.name()
              + "' made a host call outside a callback: host calls are valid only while the host"
              + " is calling the plugin, on its thread");
    }
    return abi;
  }

  /**
   * Returns the host with a context made effective.
   *
   * @param contextId the context the call is for
   * @return the host ABI
   */
  @Override
  public HostAbi hostFor(int contextId) {
    HostAbi host = host();
    if (effective != contextId) {
      WasmResult r = host.setEffectiveContext(contextId);
      if (r != WasmResult.OK) {
        throw new HostCallException(
            HostCall.SET_EFFECTIVE_CONTEXT.abiName() + "(" + contextId + ")", r);
      }
      effective = contextId;
    }
    return host;
  }

  @Override
  public void calloutFrom(int token, int contextId) {
    calloutOwners.put(token, contextId);
  }

  private int enter(int contextId) {
    int saved = effective;
    effective = contextId;
    depth++;
    return saved;
  }

  private void exit(int saved) {
    depth--;
    effective = saved;
  }

  // ---- contexts -------------------------------------------------------------------------------

  private Context context(int id) {
    Context c = contexts.get(id);
    if (c == null) {
      throw new IllegalStateException(
          "no context " + id + " in Java plugin '" + plugin.name() + "'");
    }
    return c;
  }

  private RootContext root(int id) {
    Context c = context(id);
    if (c instanceof RootContext) {
      return (RootContext) c;
    }
    throw new IllegalStateException("context " + id + " is not a root context");
  }

  private HttpContext http(int id) {
    Context c = contexts.get(id);
    if (c == null && pending.containsKey(id)) {
      RootContext parent = pending.remove(id);
      HttpContext created = parent.newHttpContext(id);
      if (created == null) {
        throw new IllegalStateException(
            parent.getClass().getName()
                + ".newHttpContext returned null: the plugin does not filter HTTP streams");
      }
      Binder.bind(created, this, id);
      contexts.put(id, created);
      return created;
    }
    if (c instanceof HttpContext) {
      return (HttpContext) c;
    }
    throw new IllegalStateException(
        "context " + id + " is " + describe(c) + ", not an HTTP context");
  }

  private StreamContext stream(int id) {
    Context c = contexts.get(id);
    if (c == null && pending.containsKey(id)) {
      RootContext parent = pending.remove(id);
      StreamContext created = parent.newStreamContext(id);
      if (created == null) {
        throw new IllegalStateException(
            parent.getClass().getName()
                + ".newStreamContext returned null: the plugin does not filter TCP connections");
      }
      Binder.bind(created, this, id);
      contexts.put(id, created);
      return created;
    }
    if (c instanceof StreamContext) {
      return (StreamContext) c;
    }
    throw new IllegalStateException("context " + id + " is " + describe(c) + ", not a TCP context");
  }

  private static String describe(Context c) {
    return c == null ? "unknown" : "a " + c.getClass().getName();
  }

  // ---- callbacks ------------------------------------------------------------------------------

  /** A callback body; returns the i32 result or 0. */
  @FunctionalInterface
  interface Body {
    long run(long[] args);
  }

  /**
   * Runs a callback with the bookkeeping of the effective context around it.
   *
   * @param contextId the context the host calls for
   * @param body the callback
   * @param args its arguments
   * @return its result
   */
  long call(int contextId, Body body, long[] args) {
    int saved = enter(contextId);
    try {
      return body.run(args);
    } finally {
      exit(saved);
    }
  }

  long onContextCreate(long[] a) {
    int id = (int) a[0];
    int parent = (int) a[1];
    if (contexts.containsKey(id) || pending.containsKey(id)) {
      throw new IllegalStateException("context " + id + " already exists");
    }
    if (parent == 0) {
      RootContext root = plugin.newRootContext();
      if (root == null) {
        throw new IllegalStateException(
            "Java plugin '" + plugin.name() + "' returned no root context");
      }
      Binder.bind(root, this, id);
      contexts.put(id, root);
    } else {
      pending.put(id, root(parent));
    }
    return 0;
  }

  long onVmStart(long[] a) {
    return bool(root((int) a[0]).onVmStart((int) a[1]));
  }

  long onConfigure(long[] a) {
    return bool(root((int) a[0]).onConfigure((int) a[1]));
  }

  long onTick(long[] a) {
    root((int) a[0]).onTick();
    return 0;
  }

  long onQueueReady(long[] a) {
    root((int) a[0]).onQueueReady((int) a[1]);
    return 0;
  }

  long onForeignFunction(long[] a) {
    root((int) a[0]).onForeignFunction((int) a[1], (int) a[2]);
    return 0;
  }

  long onNewConnection(long[] a) {
    return stream((int) a[0]).onNewConnection().code();
  }

  long onDownstreamData(long[] a) {
    return stream((int) a[0]).onDownstreamData((int) a[1], a[2] != 0).code();
  }

  long onUpstreamData(long[] a) {
    return stream((int) a[0]).onUpstreamData((int) a[1], a[2] != 0).code();
  }

  long onDownstreamClose(long[] a) {
    stream((int) a[0]).onDownstreamClose(PeerType.fromCode(a[1]).orElse(PeerType.UNKNOWN));
    return 0;
  }

  long onUpstreamClose(long[] a) {
    stream((int) a[0]).onUpstreamClose(PeerType.fromCode(a[1]).orElse(PeerType.UNKNOWN));
    return 0;
  }

  long onRequestHeaders(long[] a) {
    return http((int) a[0]).onRequestHeaders((int) a[1], a[2] != 0).code();
  }

  long onRequestBody(long[] a) {
    return http((int) a[0]).onRequestBody((int) a[1], a[2] != 0).code();
  }

  long onRequestTrailers(long[] a) {
    return http((int) a[0]).onRequestTrailers((int) a[1]).code();
  }

  long onResponseHeaders(long[] a) {
    return http((int) a[0]).onResponseHeaders((int) a[1], a[2] != 0).code();
  }

  long onResponseBody(long[] a) {
    return http((int) a[0]).onResponseBody((int) a[1], a[2] != 0).code();
  }

  long onResponseTrailers(long[] a) {
    return http((int) a[0]).onResponseTrailers((int) a[1]).code();
  }

  /** The context that made a callout, or the root the host delivers it to. */
  private Context calloutOwner(long rootId, long token, boolean last) {
    Integer owner = last ? calloutOwners.remove((int) token) : calloutOwners.get((int) token);
    Context c = owner == null ? null : contexts.get(owner.intValue());
    return c != null ? c : context((int) rootId);
  }

  long onHttpCallResponse(long[] a) {
    calloutOwner(a[0], a[1], true)
        .onHttpCallResponse((int) a[1], (int) a[2], (int) a[3], (int) a[4]);
    return 0;
  }

  long onGrpcReceiveInitialMetadata(long[] a) {
    calloutOwner(a[0], a[1], false).onGrpcReceiveInitialMetadata((int) a[1], (int) a[2]);
    return 0;
  }

  long onGrpcReceive(long[] a) {
    // a unary call's message is its outcome: the call is over (a stream's token has kind 2)
    boolean call = (a[1] & 3) == 1;
    calloutOwner(a[0], a[1], call).onGrpcReceive((int) a[1], (int) a[2]);
    return 0;
  }

  long onGrpcReceiveTrailingMetadata(long[] a) {
    calloutOwner(a[0], a[1], false).onGrpcReceiveTrailingMetadata((int) a[1], (int) a[2]);
    return 0;
  }

  long onGrpcClose(long[] a) {
    calloutOwner(a[0], a[1], true).onGrpcClose((int) a[1], (int) a[2]);
    return 0;
  }

  long onDone(long[] a) {
    int id = (int) a[0];
    if (pending.containsKey(id)) {
      return 1;
    }
    return bool(context(id).onDone());
  }

  long onLog(long[] a) {
    int id = (int) a[0];
    if (!pending.containsKey(id)) {
      context(id).onLog();
    }
    return 0;
  }

  long onDelete(long[] a) {
    int id = (int) a[0];
    if (pending.remove(id) != null) {
      return 0;
    }
    Context c = contexts.remove(id);
    calloutOwners.values().removeIf(owner -> owner == id);
    if (c != null) {
      c.onDelete();
    }
    return 0;
  }

  private static long bool(boolean b) {
    return b ? 1 : 0;
  }
}

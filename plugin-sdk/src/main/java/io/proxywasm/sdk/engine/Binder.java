package io.proxywasm.sdk.engine;

import io.proxywasm.sdk.Context;
import java.util.Objects;

/**
 * Binds a plugin's context to the engine that runs it, before its first callback. The SDK's {@link
 * Context} hands its binding function over when it is initialised, so that plugin authors see no
 * way to rebind a context. Not for plugin authors: this package is exported only to the engine.
 */
public final class Binder {
  /** How a context is bound; set once by {@link Context}. */
  @FunctionalInterface
  public interface Access {
    /**
     * Binds a context.
     *
     * @param context the context
     * @param host the engine
     * @param id the context id
     */
    void bind(Context context, PluginHost host, int id);
  }

  private static volatile Access access;

  private Binder() {}

  /**
   * Receives the binding function; only the first call counts.
   *
   * @param binding the function
   */
  public static synchronized void access(Access binding) {
    if (access == null) {
      access = Objects.requireNonNull(binding, "binding");
    }
  }

  /**
   * Binds a context to the engine under an id.
   *
   * @param context the context
   * @param host the engine
   * @param id the context id
   */
  public static void bind(Context context, PluginHost host, int id) {
    Access a = access;
    if (a == null) {
      // Context's static initialiser has run whenever an instance exists
      throw new IllegalStateException("the SDK's Context class is not initialised");
    }
    a.bind(context, host, id);
  }
}

package io.proxywasm.sdk;

/**
 * A proxy-wasm plugin written in Java, run by the Null VM (runtime {@code null}). Register an
 * implementation with {@link java.util.ServiceLoader} (for example with
 * {@code @AutoService(JavaPlugin.class)}, or {@code provides io.proxywasm.sdk.JavaPlugin with ...}
 * in a module descriptor); a plugin configuration then runs it with the code {@code java:NAME}.
 *
 * <p>Implementations are stateless factories: the VM asks for a new root context for every root
 * context the host creates, in every VM (base, worker clone, singleton) of the plugin. Keep state
 * in contexts, not in static fields, so that workers behave as separate wasm instances do.
 */
public interface JavaPlugin {

  /**
   * Returns the name the plugin is registered under, used in {@code java:NAME}.
   *
   * @return a name unique among the plugins on the class or module path
   */
  String name();

  /**
   * Creates a root context; called from {@code proxy_on_context_create} of a root context.
   *
   * @return the new root context
   */
  RootContext newRootContext();
}

package io.proxywasm.host;

import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmResult;

/**
 * A Java function plugins call by name with {@code proxy_call_foreign_function}. Must be
 * thread-safe.
 */
@FunctionalInterface
public interface ForeignFunction {
  /**
   * Runs the function.
   *
   * @param caller the plugin calling
   * @param arguments the argument bytes
   * @return the result bytes, copied into the plugin's memory; may be empty
   * @throws Failure to return a status other than {@link WasmResult#OK} to the plugin
   */
  byte[] call(PluginInfo caller, byte[] arguments) throws Failure;

  /**
   * Runs the function for a plugin calling from a stream's context (or its effective context), as
   * Envoy's functions that act on the calling stream do ({@code set_envoy_filter_state}, {@code
   * clear_route_cache}). The host calls this one; by default it ignores the stream.
   *
   * @param caller the plugin calling
   * @param stream the listener the embedder opened the calling stream with ({@link
   *     PluginHandle#newHttpStream(HttpStreamListener, PropertyResolver)}, {@link
   *     PluginHandle#newTcpStream(TcpStreamListener, PropertyResolver)}), or null from a root
   *     context
   * @param arguments the argument bytes
   * @return the result bytes, copied into the plugin's memory; may be empty
   * @throws Failure to return a status other than {@link WasmResult#OK} to the plugin
   */
  default byte[] call(PluginInfo caller, Object stream, byte[] arguments) throws Failure {
    return call(caller, arguments);
  }

  /** Ends a foreign function call with a status for the plugin. */
  final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    /** The status for the plugin. */
    private final WasmResult result;

    /**
     * Creates the failure.
     *
     * @param result the status for the plugin; not {@link WasmResult#OK}
     * @param message why, for logs
     */
    public Failure(WasmResult result, String message) {
      super(message);
      this.result = result;
    }

    /**
     * Returns the status for the plugin.
     *
     * @return the status
     */
    public WasmResult result() {
      return result;
    }
  }
}

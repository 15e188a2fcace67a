package io.proxywasm.spi;

import java.util.Objects;

/**
 * A function the host offers to modules as an import.
 *
 * @param module the import module, for example {@code env} or {@code wasi_snapshot_preview1}
 * @param name the import name, for example {@code proxy_log}
 * @param type the signature a module's import must have
 * @param body the implementation
 */
public record HostFunction(String module, String name, FunctionType type, Body body) {

  /**
   * Creates a host function.
   *
   * @param module the import module
   * @param name the import name
   * @param type the signature
   * @param body the implementation
   */
  public HostFunction {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(body, "body");
  }

  /**
   * The implementation of a host function, in the same call shape as {@link WasmFunction}. The
   * runtime reads the returned array before the next call and never modifies or keeps it, so a host
   * may return the same array every time (the default host answers each status code with one shared
   * array, so that a host call allocates nothing).
   */
  @FunctionalInterface
  public interface Body {
    /**
     * Runs the host function.
     *
     * @param args the arguments as {@code long}s; the runtime may reuse the array after the call
     * @return the results, or null for none; read-only for the runtime
     */
    long[] call(long... args);
  }
}

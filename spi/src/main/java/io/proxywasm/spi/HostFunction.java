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

  /** The implementation of a host function, in the same call shape as {@link WasmFunction}. */
  @FunctionalInterface
  public interface Body {
    /**
     * Runs the host function.
     *
     * @param args the arguments as {@code long}s
     * @return the results, or null for none
     */
    long[] call(long... args);
  }
}

package io.proxywasm.spi;

/**
 * A function exported by a loaded module, in the one call shape of the host.
 *
 * <p>Arguments and results are {@code long}s as described by {@link ValueType}.
 */
@FunctionalInterface
public interface WasmFunction {
  /**
   * Calls the function. The caller guarantees that the VM is not entered by another thread at the
   * same time.
   *
   * @param args the arguments, as many as the function's parameters
   * @return the results; an empty array or null for a function without results
   * @throws WasmException with {@link FailState#RUNTIME_ERROR} if the function traps; the VM is
   *     then failed
   */
  long[] call(long... args);
}

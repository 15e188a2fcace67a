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
   * <p>The runtime reads the arguments during the call and keeps no reference to the array once the
   * call returns: the caller may reuse it for its next call (the host reuses one array per argument
   * count and call depth, so that a callback allocates nothing on the host's side). A call made
   * while this one is in progress gets another array.
   *
   * @param args the arguments, as many as the function's parameters
   * @return the results; an empty array or null for a function without results
   * @throws WasmException with {@link FailState#RUNTIME_ERROR} if the function traps; the VM is
   *     then failed
   */
  long[] call(long... args);
}

package io.proxywasm.spi;

/** How a {@link WasmVm} makes per-worker copies of itself ({@link WasmVm#cloneVm()}). */
public enum Cloneability {
  /**
   * The VM cannot be cloned; the host loads the module again for every worker. {@link
   * WasmVm#cloneVm()} throws.
   */
  NOT_CLONEABLE,
  /**
   * A clone shares the compiled code but is a fresh, unlinked instance: the host registers its host
   * functions, links it and runs its start functions again.
   */
  COMPILED_BYTECODE,
  /** A clone is an instantiated, linked and started copy, ready to use. */
  INSTANTIATED_MODULE
}

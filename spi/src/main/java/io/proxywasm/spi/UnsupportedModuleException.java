package io.proxywasm.spi;

/**
 * A module that is valid WebAssembly but uses something one runtime does not implement (a proposal
 * it leaves out, a function too large for its code generator), thrown by {@link
 * WasmVm#load(byte[])}. Another runtime may run the module: a host that chose the runtime by
 * default ({@link Runtimes#candidatesFor(byte[])}) tries the next one; a runtime the embedder named
 * fails the load with this message.
 */
public final class UnsupportedModuleException extends WasmException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what the runtime does not support, naming the function or section at fault
   * @param cause the underlying error, or null
   */
  public UnsupportedModuleException(String message, Throwable cause) {
    super(FailState.UNABLE_TO_INITIALIZE_CODE, message, cause);
  }
}

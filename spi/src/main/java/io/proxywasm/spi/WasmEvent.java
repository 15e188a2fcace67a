package io.proxywasm.spi;

/** A lifecycle event of a VM or plugin; the same list as Envoy's {@code WasmEvent}. */
public enum WasmEvent {
  /** Success. */
  OK,
  /** Remote code was found in the cache. */
  REMOTE_LOAD_CACHE_HIT,
  /** Remote code recently failed to load, and the failure is cached. */
  REMOTE_LOAD_CACHE_NEGATIVE_HIT,
  /** Remote code was not in the cache. */
  REMOTE_LOAD_CACHE_MISS,
  /** Remote code was fetched. */
  REMOTE_LOAD_CACHE_FETCH_SUCCESS,
  /** Remote code could not be fetched. */
  REMOTE_LOAD_CACHE_FETCH_FAILURE,
  /** The runtime could not create a VM. */
  UNABLE_TO_CREATE_VM,
  /** A VM could not be cloned. */
  UNABLE_TO_CLONE_VM,
  /** A required function is not exported. */
  MISSING_FUNCTION,
  /** The module could not be loaded, linked or initialised. */
  UNABLE_TO_INITIALIZE_CODE,
  /** The plugin failed to start. */
  START_FAILED,
  /** The plugin rejected its configuration. */
  CONFIGURE_FAILED,
  /** The plugin failed while running. */
  RUNTIME_ERROR,
  /** A VM was created. */
  VM_CREATED,
  /** A VM was shut down. */
  VM_SHUT_DOWN,
  /** A failed VM is waiting before it is reloaded. */
  VM_RELOAD_BACKOFF,
  /** A failed VM was reloaded. */
  VM_RELOAD_SUCCESS,
  /** A failed VM could not be reloaded. */
  VM_RELOAD_FAILURE;

  /**
   * Returns the event that reports a VM failure.
   *
   * @param state the failure
   * @return the matching event; {@link #OK} for {@link FailState#OK}
   */
  public static WasmEvent of(FailState state) {
    switch (state) {
      case UNABLE_TO_CREATE_VM:
        return UNABLE_TO_CREATE_VM;
      case UNABLE_TO_CLONE_VM:
        return UNABLE_TO_CLONE_VM;
      case MISSING_FUNCTION:
        return MISSING_FUNCTION;
      case UNABLE_TO_INITIALIZE_CODE:
        return UNABLE_TO_INITIALIZE_CODE;
      case START_FAILED:
        return START_FAILED;
      case CONFIGURE_FAILED:
        return CONFIGURE_FAILED;
      case RUNTIME_ERROR:
        return RUNTIME_ERROR;
      case OK:
      default:
        return OK;
    }
  }
}

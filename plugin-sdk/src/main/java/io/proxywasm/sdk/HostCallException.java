package io.proxywasm.sdk;

import io.proxywasm.spi.WasmResult;

/**
 * A host call answered with a status the SDK cannot turn into a value. Left uncaught in a callback
 * it fails the VM as a trap would, and the plugin's fail policy applies.
 */
public final class HostCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The status the host answered. */
  private final transient WasmResult result;

  /**
   * Creates the exception.
   *
   * @param call the host function, for example {@code proxy_enqueue_shared_queue}
   * @param result the status it answered
   */
  public HostCallException(String call, WasmResult result) {
    super(call + " failed: " + result);
    this.result = result;
  }

  /**
   * Returns the status the host answered.
   *
   * @return the status
   */
  public WasmResult result() {
    return result;
  }
}

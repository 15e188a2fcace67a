package io.proxywasm.host;

/**
 * Keeps the shared data or queues of a vm_id alive: when the last handle of a vm_id is closed (its
 * last VM is gone), what was stored under it is dropped.
 */
public interface VmIdHandle extends AutoCloseable {
  /** Releases the vm_id; idempotent. */
  @Override
  void close();
}

package io.proxywasm.host;

/** Told when an item is enqueued on a shared queue; see {@link SharedQueues#register}. */
@FunctionalInterface
public interface QueueListener {
  /**
   * An item was enqueued. Called once per enqueue, outside any lock.
   *
   * @param token the queue's token
   */
  void onQueueReady(int token);
}

package io.proxywasm.host;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed set of {@link Worker}s for servers that handle a request on whatever thread it arrives
 * (thread-per-request, virtual threads). Each stream takes the {@link #next()} worker and stays on
 * it for its life; calls into one worker's clones are serialised, so at most {@code size} calls
 * into a plugin's VM run at once. Thread-safe.
 */
public final class WorkerPool implements AutoCloseable {
  private final List<Worker> workers;
  private final AtomicInteger next = new AtomicInteger();

  WorkerPool(ProxyWasmHost host, int size) {
    if (size < 1) {
      throw new IllegalArgumentException("a worker pool needs at least one worker, not " + size);
    }
    List<Worker> list = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      list.add(host.newWorker());
    }
    this.workers = List.copyOf(list);
  }

  /**
   * Returns the worker for a new stream, round robin.
   *
   * @return a worker of this pool
   */
  public Worker next() {
    return workers.get(Math.floorMod(next.getAndIncrement(), workers.size()));
  }

  /**
   * Returns the workers.
   *
   * @return the workers, in order
   */
  public List<Worker> workers() {
    return workers;
  }

  /** Closes every worker. */
  @Override
  public void close() {
    workers.forEach(Worker::close);
  }
}

package io.proxywasm.host;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A {@link Scheduler} whose time only moves when the caller says so, for tests and tools: ticks,
 * queue deliveries and callout answers run in {@link #advance} or {@link #runDue}, in due order, on
 * the test's thread. Thread-safe.
 */
public final class ManualScheduler implements Scheduler {
  private record Task(long due, long seq, Runnable run, boolean[] cancelled) {}

  private final List<Task> tasks = new ArrayList<>();
  private long now;
  private long seq;

  /** Creates a scheduler at time zero. */
  public ManualScheduler() {}

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    boolean[] cancelled = {false};
    tasks.add(new Task(now + Math.max(0, delay.toMillis()), seq++, task, cancelled));
    return () -> {
      synchronized (this) {
        cancelled[0] = true;
      }
    };
  }

  /**
   * Moves time forward, running every task that falls due, including the ones they schedule.
   *
   * @param by how far
   */
  public void advance(Duration by) {
    long target;
    synchronized (this) {
      target = now + by.toMillis();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next =
            tasks.stream()
                .filter(t -> t.due() <= target)
                .min(Comparator.comparingLong(Task::due).thenComparingLong(Task::seq))
                .orElse(null);
        if (next == null) {
          now = target;
          return;
        }
        tasks.remove(next);
        now = Math.max(now, next.due());
        if (next.cancelled()[0]) {
          continue;
        }
      }
      next.run().run();
    }
  }

  /** Runs what is due now: deliveries scheduled with no delay. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /**
   * Returns how many tasks wait.
   *
   * @return the number of tasks not run or cancelled
   */
  public synchronized int pending() {
    return (int) tasks.stream().filter(t -> !t.cancelled()[0]).count();
  }

  /**
   * Returns the scheduler's time.
   *
   * @return milliseconds since it was created
   */
  public synchronized long nowMillis() {
    return now;
  }
}

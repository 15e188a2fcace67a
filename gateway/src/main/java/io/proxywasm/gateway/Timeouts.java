package io.proxywasm.gateway;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * The route timeouts of one event loop's requests. Requests with the same timeout expire in the
 * order they started, so the timeouts of one duration wait in a list in that order and one Vert.x
 * timer per loop waits for the earliest: starting and stopping a request's timeout links and
 * unlinks it, rather than scheduling and cancelling a timer on the event loop for every request.
 * Used on the loop's thread only.
 */
final class Timeouts {
  /** One request's timeout. */
  static final class Timeout {
    private final Line line;
    private final long deadline;
    private Runnable onExpiry;
    private Timeout prev;
    private Timeout next;

    private Timeout(Line line, long deadline, Runnable onExpiry) {
      this.line = line;
      this.deadline = deadline;
      this.onExpiry = onExpiry;
    }

    /** Stops the timeout; nothing happens once it expired or was stopped. */
    void cancel() {
      if (onExpiry == null) {
        return;
      }
      onExpiry = null;
      if (prev == null) {
        line.head = next;
      } else {
        prev.next = next;
      }
      if (next == null) {
        line.tail = prev;
      } else {
        next.prev = prev;
      }
      prev = null;
      next = null;
    }
  }

  /** The timeouts of one duration, earliest first. */
  private static final class Line {
    final long millis;
    Timeout head;
    Timeout tail;

    Line(long millis) {
      this.millis = millis;
    }
  }

  private final Vertx vertx;
  private final List<Line> lines = new ArrayList<>();
  private long timerId = -1;
  private long timerDeadline;

  Timeouts(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts a timeout: after the given time, unless cancelled, it runs on the loop. */
  Timeout start(long millis, Runnable onExpiry) {
    Line line = null;
    for (Line l : lines) {
      if (l.millis == millis) {
        line = l;
        break;
      }
    }
    if (line == null) {
      line = new Line(millis);
      lines.add(line);
    }
    Timeout t = new Timeout(line, System.nanoTime() + millis * 1_000_000L, onExpiry);
    if (line.tail == null) {
      line.head = t;
    } else {
      line.tail.next = t;
      t.prev = line.tail;
    }
    line.tail = t;
    arm(t.deadline);
    return t;
  }

  /** Makes sure the timer fires by a deadline. */
  private void arm(long deadline) {
    if (timerId >= 0) {
      if (timerDeadline - deadline <= 0) {
        return; // it fires first, and arms again for what is left
      }
      vertx.cancelTimer(timerId);
    }
    timerDeadline = deadline;
    long delay = Math.max(1, (deadline - System.nanoTime() + 999_999) / 1_000_000);
    timerId = vertx.setTimer(delay, id -> expire());
  }

  private void expire() {
    timerId = -1;
    long now = System.nanoTime();
    try {
      // by index: an expiry's work (a 504 through the response filters) may start a timeout of a
      // new duration, which adds a line
      for (int i = 0; i < lines.size(); i++) {
        Line line = lines.get(i);
        while (line.head != null && line.head.deadline - now <= 0) {
          Timeout t = line.head;
          Runnable r = t.onExpiry;
          t.cancel();
          r.run();
        }
      }
    } finally {
      // even when an expiry's work failed: the other requests keep their timeouts
      Timeout earliest = null;
      for (Line line : lines) {
        if (line.head != null && (earliest == null || line.head.deadline - earliest.deadline < 0)) {
          earliest = line.head;
        }
      }
      if (earliest != null) {
        arm(earliest.deadline);
      }
    }
  }
}

package io.proxywasm.gateway;

import io.proxywasm.spi.StreamType;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * The calls an HTTP exchange or a TCP session makes into its plugins' streams, on its event loop,
 * and when the decisions the plugins make are applied: one made during a call (a resume, a local
 * reply, a close) waits until the call has returned, one made elsewhere (a callout answer on
 * another thread) is moved onto the loop. Resumes made during a call run on the loop's next turn,
 * in the order they were made.
 */
final class PluginCalls {
  /** Continues one filter's direction. */
  interface Resumer {
    void resume(int filter, StreamType direction);
  }

  private record Resume(int filter, StreamType direction) {}

  private final Context ctx;
  private final Resumer resumer;
  private boolean inCall;
  private List<Resume> deferred;

  PluginCalls(Context ctx, Resumer resumer) {
    this.ctx = ctx;
    this.resumer = resumer;
  }

  /**
   * A call into a plugin starts; the caller calls {@link #exit} in a {@code finally} once it has
   * returned (a pair rather than a method taking the call, so the hot path allocates no lambda).
   */
  void enter() {
    inCall = true;
  }

  /** The call into a plugin has returned. */
  void exit() {
    inCall = false;
  }

  /** Whether a decision made now comes from a call on the loop, to be applied once it returns. */
  boolean duringCall() {
    return Vertx.currentContext() == ctx && inCall;
  }

  /** Runs a decision on the loop's next turn. */
  void later(Runnable decision) {
    ctx.runOnContext(v -> decision.run());
  }

  /** A filter resumes a direction: after the current call, or on the loop. */
  void resume(int filter, StreamType direction) {
    if (duringCall()) {
      if (deferred == null) {
        deferred = new ArrayList<>(2);
      }
      deferred.add(new Resume(filter, direction));
    } else {
      ctx.runOnContext(v -> resumer.resume(filter, direction));
    }
  }

  /** After a call: the resumes made during it run on the loop's next turn. */
  void runDeferredResumes() {
    if (deferred == null || deferred.isEmpty()) {
      return;
    }
    List<Resume> p = List.copyOf(deferred);
    deferred.clear();
    ctx.runOnContext(
        v -> {
          for (Resume r : p) {
            resumer.resume(r.filter(), r.direction());
          }
        });
  }
}

package io.proxywasm.host.internal.vm;

import io.proxywasm.host.PluginFailure;
import io.proxywasm.spi.Callback;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;

/**
 * Calls into one VM: the callbacks fetched from the module, the context each call is for and the
 * effective context the plugin selects during it, the call deadline, and the actions that wait for
 * the outermost call to return. A VM has at most one call in progress (its lock), so this state
 * lives in plain fields; only the call in progress is read from another thread (the watchdog's).
 */
final class CallDispatcher {
  private static final int NONE = -1;

  private static final long[] NO_ARGS = new long[0];

  /** How deep calls into the VM nest before their argument arrays are no longer reused. */
  private static final int SCRATCH_DEPTH = 4;

  /** How many arguments a call may have to get a reused array. */
  private static final int SCRATCH_ARITY = 3;

  private final WasmBase wasm;
  private final WasmFunction[] functions = new WasmFunction[Callback.values().length];
  private final ArrayDeque<Runnable> afterCall = new ArrayDeque<>();

  /**
   * Argument arrays reused by the fixed-arity calls, one per nesting depth and argument count: a
   * runtime reads the arguments and does not keep the array ({@link WasmFunction#call}), and a call
   * made while another is in progress (the plugin's allocator during a host call) gets the next
   * depth's array, so none is overwritten while in use.
   */
  private final long[][] argScratch = new long[SCRATCH_DEPTH * SCRATCH_ARITY][];

  private Context current;

  /** The effective context set by the plugin for the call in progress; {@link #NONE} if unset. */
  private int effectiveContextId = NONE;

  private int depth;
  private boolean stopNextIteration;

  /** The call deadline in nanoseconds, or 0 when none applies to this VM. */
  private final long deadlineNanos;

  /**
   * The number of the outermost call in progress, or 0 between calls. Written with release stores
   * ({@link #RUNNING_CALL}, {@link #RUNNING_CALLBACK}): the watchdog's volatile read sees the
   * callback written before the number, and the calling thread, the only writer, does not wait for
   * its stores to drain as a volatile store would make it (a fence on every outermost call). The
   * call carries no start time: the watchdog times it from the first sweep that sees it ({@link
   * #enforceDeadline}), so that a call does not read the clock (about 30 ns, as much as the rest of
   * entering the VM).
   */
  private volatile long runningCall;

  /** The number of the last outermost call; the calling thread's own (under the VM's lock). */
  private long calls;

  /** The outermost callback in progress, for the deadline message. */
  private volatile Callback runningCallback = Callback.INITIALIZE;

  /** The call the watchdog last saw in progress, 0 for none; the watchdog's own. */
  private long watchedCall;

  /** When ({@link System#nanoTime()}) the watchdog first saw {@link #watchedCall}. */
  private long watchedSince;

  private static final VarHandle RUNNING_CALL;
  private static final VarHandle RUNNING_CALLBACK;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      RUNNING_CALL = lookup.findVarHandle(CallDispatcher.class, "runningCall", long.class);
      RUNNING_CALLBACK =
          lookup.findVarHandle(CallDispatcher.class, "runningCallback", Callback.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  CallDispatcher(WasmBase wasm, long deadlineNanos) {
    this.wasm = wasm;
    this.deadlineNanos = deadlineNanos;
  }

  /** Whether calls into this VM have a deadline (its runtime can stop running code). */
  boolean hasDeadline() {
    return deadlineNanos > 0;
  }

  void bind(Callback cb, WasmFunction f) {
    functions[cb.ordinal()] = f;
  }

  WasmFunction fn(Callback cb) {
    return functions[cb.ordinal()];
  }

  boolean has(Callback cb) {
    return functions[cb.ordinal()] != null;
  }

  /**
   * Calls a callback with a context as the current one. Returns 0 if the callback is not exported
   * or the VM fails during the call. After-call actions run when the outermost call returns.
   *
   * @param ctx the context the call is for
   * @param cb the callback
   * @return the i32 result, zero-extended, or 0
   */
  long callIn(Context ctx, Callback cb) {
    return invoke(ctx, cb, NO_ARGS) & 0xFFFF_FFFFL;
  }

  /**
   * {@link #callIn(Context, Callback)} with more than three arguments (a callout's response), in a
   * new array.
   */
  long callIn(Context ctx, Callback cb, long a, long b, long c, long d, long e) {
    return invoke(ctx, cb, new long[] {a, b, c, d, e}) & 0xFFFF_FFFFL;
  }

  /** {@link #callIn(Context, Callback)} with one argument, in a reused array. */
  long callIn(Context ctx, Callback cb, long a) {
    long[] args = args(1);
    args[0] = a;
    return invoke(ctx, cb, args) & 0xFFFF_FFFFL;
  }

  /** {@link #callIn(Context, Callback)} with two arguments, in a reused array. */
  long callIn(Context ctx, Callback cb, long a, long b) {
    long[] args = args(2);
    args[0] = a;
    args[1] = b;
    return invoke(ctx, cb, args) & 0xFFFF_FFFFL;
  }

  /** {@link #callIn(Context, Callback)} with three arguments, in a reused array. */
  long callIn(Context ctx, Callback cb, long a, long b, long c) {
    long[] args = args(3);
    args[0] = a;
    args[1] = b;
    args[2] = c;
    return invoke(ctx, cb, args) & 0xFFFF_FFFFL;
  }

  /**
   * Calls a callback that returns a filter status and reports whether iteration was stopped by a
   * local response during the call.
   *
   * @return the raw result in the low 32 bits; bit 32 set when iteration must stop
   */
  long callForStatus(Context ctx, Callback cb, long a, long b) {
    long[] args = args(2);
    args[0] = a;
    args[1] = b;
    return invoke(ctx, cb, args);
  }

  /**
   * {@link #callForStatus(Context, Callback, long, long)} with three arguments, in a reused array.
   */
  long callForStatus(Context ctx, Callback cb, long a, long b, long c) {
    long[] args = args(3);
    args[0] = a;
    args[1] = b;
    args[2] = c;
    return invoke(ctx, cb, args);
  }

  /**
   * Returns the argument array of {@code count} longs for a call made at the current depth: the
   * same array every time at that depth, or a new one past {@link #SCRATCH_DEPTH}.
   */
  private long[] args(int count) {
    wasm.checkEntered(); // before the array is written: another thread's call may be using it
    if (depth >= SCRATCH_DEPTH) {
      return new long[count];
    }
    int slot = depth * SCRATCH_ARITY + count - 1;
    long[] args = argScratch[slot];
    if (args == null) {
      args = new long[count];
      argScratch[slot] = args;
    }
    return args;
  }

  private long invoke(Context ctx, Callback cb, long[] args) {
    wasm.checkEntered();
    WasmFunction f = functions[cb.ordinal()];
    FailureRecord failures = wasm.failures();
    if (f == null || failures.isFailed() || wasm.isClosed()) {
      return 0;
    }
    Context savedCurrent = current;
    int savedEffective = effectiveContextId;
    current = ctx;
    effectiveContextId = NONE;
    boolean outermost = depth == 0;
    if (outermost && deadlineNanos > 0) {
      RUNNING_CALLBACK.setRelease(this, cb);
      RUNNING_CALL.setRelease(this, ++calls);
    }
    depth++;
    long result = 0;
    try {
      long[] r = f.call(args);
      result = r == null || r.length == 0 ? 0 : r[0] & 0xFFFF_FFFFL;
    } catch (WasmException e) {
      failures.record(PluginFailure.Cause.TRAP, e.getMessage());
      if (!failures.isFailed()) {
        wasm.vm().fail(FailState.RUNTIME_ERROR, e.getMessage());
      }
    } catch (RuntimeException e) {
      // A runtime that breaks its contract must not take the embedder down with it.
      String message = "Function: " + cb.exportName() + " failed in the runtime: " + e;
      failures.record(PluginFailure.Cause.RUNTIME_FAILURE, message);
      wasm.vm().fail(FailState.RUNTIME_ERROR, message);
    } finally {
      if (outermost) {
        RUNNING_CALL.setRelease(this, 0L);
      }
      current = savedCurrent;
      effectiveContextId = savedEffective;
      depth--;
      if (depth == 0) {
        if (!wasm.isClosed()) {
          wasm.events().reportMemory();
        }
        if (stopNextIteration) {
          result |= 1L << 32;
        }
        drainAfterCall();
      }
    }
    return result;
  }

  /**
   * Stops the call in progress if it has run past its deadline; called by the watchdog's thread on
   * every sweep. A call is timed from the first sweep that sees it in progress, so it is never
   * stopped before its deadline, and at most two sweeps after it (it started at most one sweep
   * before it was first seen).
   *
   * @param now the current {@link System#nanoTime()}
   */
  void enforceDeadline(long now) {
    long call = runningCall;
    if (call == 0 || wasm.isFailed()) {
      watchedCall = 0;
      return;
    }
    if (call != watchedCall) {
      watchedCall = call;
      watchedSince = now;
      return;
    }
    if (now - watchedSince < deadlineNanos) {
      return;
    }
    // Fail first, so that the deadline (not the interruption it causes) is the reason.
    String message =
        "Function: "
            + runningCallback.exportName()
            + " failed: execution deadline of "
            + wasm.spec().callDeadline().toMillis()
            + " ms exceeded";
    wasm.failures().record(PluginFailure.Cause.DEADLINE_EXCEEDED, message);
    wasm.vm().fail(FailState.RUNTIME_ERROR, message);
    wasm.vm().terminate();
  }

  /** Runs the queued after-call actions and clears the stop-iteration flag. */
  private void drainAfterCall() {
    stopNextIteration = false;
    Runnable action;
    while ((action = afterCall.poll()) != null) {
      action.run();
    }
  }

  /** Marks that the current callback must stop iteration (after a local response). */
  void stopNextIteration() {
    stopNextIteration = true;
  }

  /** Queues an action to run after the outermost call into the VM returns, or runs it now. */
  void afterCall(Runnable action) {
    if (depth == 0) {
      action.run();
    } else {
      afterCall.add(action);
    }
  }

  /** The context of the call in progress, or the VM context between calls. */
  Context currentOrVm() {
    return current != null ? current : wasm.contexts().vmContext();
  }

  /**
   * Returns the context host calls act on: the effective context if one is set, else the current.
   *
   * @return the context; never null during a call
   */
  Context effectiveContext() {
    if (effectiveContextId == 0) {
      return wasm.contexts().vmContext();
    }
    if (effectiveContextId != NONE) {
      Context c = wasm.contexts().get(effectiveContextId);
      if (c != null) {
        return c;
      }
    }
    return current;
  }

  /**
   * Sets the effective context for the rest of the current call.
   *
   * @param id a live context id, or 0 for the VM context (cpp-host's {@code getContext(0)})
   * @return whether the id names a live context
   */
  boolean setEffectiveContext(int id) {
    if (id != 0 && !wasm.contexts().contains(id)) {
      return false;
    }
    effectiveContextId = id;
    return true;
  }
}

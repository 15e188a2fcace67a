package io.proxywasm.spi.support;

import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * What every {@link WasmVm} of this project does the same way, whatever runs the code: the fail
 * state, closing, the checks and error wrapping around a call into the module, the call in progress
 * for {@link #terminate()}, trace lines, and the host functions offered for {@link #link}. A
 * runtime extends it and keeps only what is its own: loading, linking, calling and memory.
 *
 * <p>A call into the module goes through it like this, where only the middle line is the runtime's:
 *
 * <pre>{@code
 * checkCallable(name, params, args);
 * enter();
 * try {
 *   result = module.invoke(index, args);
 * } catch (RuntimeException | Error e) {
 *   throw callFailed(name, reason(e), e);
 * } finally {
 *   exit();
 * }
 * }</pre>
 *
 * <p>Calls into the module are measured per call, so what they go through here is final, allocates
 * nothing and costs one volatile read (the fail state), plus, for the outermost call only, one
 * release store and one compare-and-set (the call in progress). The host serialises calls (one
 * thread in a VM at a time, {@link WasmFunction#call}); only {@link #terminate()}, {@link #fail}
 * and {@link #failState()} come from other threads.
 *
 * <p>No part of the SPI contract: it may change in any release.
 */
public abstract class AbstractWasmVm implements WasmVm {
  /** The size of a page of linear memory, in bytes. */
  protected static final int PAGE_SIZE = 65_536;

  private static final byte[] MAGIC = {0, 'a', 's', 'm'};

  private static final int IDLE = 0;
  private static final int RUNNING = 1;
  private static final int STOPPING = 2;
  private static final int STOPPED = 3;

  private record ImportName(String module, String name) {}

  private final WasmVmIntegration integration;
  private final FailStateHolder failures;
  private final Map<ImportName, HostFunction> hostFunctions = new HashMap<>();
  private boolean closed;

  /**
   * Where the outermost call in progress is, for {@link #terminate()} on another thread: {@link
   * #IDLE} between calls, {@link #RUNNING} during one, {@link #STOPPING} while {@code terminate()}
   * interrupts it, {@link #STOPPED} once it has. Only {@code terminate()} moves it from running to
   * stopping, and only the end of the call moves it back to idle, each with one compare-and-set, so
   * an interrupt is never sent to a thread that has left the module.
   */
  private final AtomicInteger runState = new AtomicInteger(IDLE);

  /** The thread of the call in progress; published to {@link #terminate()} by {@link #runState}. */
  private Thread runningThread;

  /**
   * How deep calls into the module nest (the plugin's allocator called during a host call). Only
   * the thread inside the module touches it: the caller guarantees one thread at a time, so nested
   * calls cost no synchronisation at all.
   */
  private int callDepth;

  /**
   * Creates a VM that reports its failures to an integration.
   *
   * @param integration the embedder's side
   */
  protected AbstractWasmVm(WasmVmIntegration integration) {
    this.integration = Objects.requireNonNull(integration, "integration");
    this.failures = new FailStateHolder(integration);
  }

  /**
   * Returns the embedder's side this VM was made with.
   *
   * @return the integration
   */
  protected final WasmVmIntegration integration() {
    return integration;
  }

  // ---- fail state -----------------------------------------------------------------------------

  @Override
  public final FailState failState() {
    return failures.get();
  }

  @Override
  public final void fail(FailState state, String message) {
    failures.fail(state, message);
  }

  @Override
  public final void addFailCallback(Consumer<FailState> callback) {
    failures.addCallback(callback);
  }

  // ---- open, loaded, closed -------------------------------------------------------------------

  /**
   * Throws unless the VM is open.
   *
   * @throws IllegalStateException once {@link #close()} was called
   */
  protected final void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the VM is closed");
    }
  }

  /**
   * Returns what {@code load} loaded, if the VM is open and has it.
   *
   * @param loaded the loaded code, or null
   * @param what what is loaded, for the message: "module", "plugin"
   * @param <T> the type of the loaded code
   * @return {@code loaded}
   * @throws IllegalStateException if the VM is closed or nothing is loaded
   */
  protected final <T> T loaded(T loaded, String what) {
    checkOpen();
    if (loaded == null) {
      throw new IllegalStateException("no " + what + " is loaded");
    }
    return loaded;
  }

  /** Closes the VM: every later call fails; then {@link #release()} drops what it holds. */
  @Override
  public final void close() {
    closed = true;
    hostFunctions.clear();
    release();
  }

  /** Drops what the VM holds (its instance, its code) when it is closed. Does nothing here. */
  protected void release() {}

  // ---- host functions -------------------------------------------------------------------------

  /** Keeps the function for {@link #hostFunction} at {@link #link}. */
  @Override
  public void registerHostFunction(HostFunction function) {
    Objects.requireNonNull(function, "function");
    checkOpen();
    hostFunctions.put(new ImportName(function.module(), function.name()), function);
  }

  /**
   * Returns the registered host function that satisfies an import.
   *
   * @param module the import's module
   * @param name the import's name
   * @param type the import's signature
   * @return the host function
   * @throws WasmException with {@link FailState#UNABLE_TO_INITIALIZE_CODE} if none is registered
   *     under that name or it has another signature
   */
  protected final HostFunction hostFunction(String module, String name, FunctionType type) {
    HostFunction host = hostFunctions.get(new ImportName(module, name));
    if (host == null) {
      throw initError(
          "Failed to load Wasm module due to a missing import: " + module + "." + name, null);
    }
    if (!host.type().equals(type)) {
      throw initError(
          "Failed to load Wasm module due to an import type mismatch: "
              + module
              + "."
              + name
              + ", want: "
              + type
              + ", but host exports: "
              + host.type(),
          null);
    }
    return host;
  }

  /**
   * Returns the error for an import that is neither a function, a memory nor a table.
   *
   * @param qualified the import, {@code module.name}
   * @param kind what it is, such as {@code "global"}
   * @return the error to throw
   */
  protected static WasmException unsupportedImport(String qualified, String kind) {
    return initError(
        "Failed to load Wasm module due to an unsupported import: "
            + qualified
            + " is a "
            + kind.toLowerCase(Locale.ROOT)
            + "; only functions, memories and tables can be imported",
        null);
  }

  // ---- load and link --------------------------------------------------------------------------

  /**
   * Throws unless the bytes start as a WebAssembly module does.
   *
   * @param bytes the module
   * @throws WasmException with {@link FailState#UNABLE_TO_INITIALIZE_CODE} if they do not
   */
  protected static void checkMagic(byte[] bytes) {
    if (bytes.length < MAGIC.length
        || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw initError(
          "Failed to load Wasm bytecode: not a WebAssembly module (bad magic number)", null);
    }
  }

  /**
   * Returns the most pages a linear memory may grow to: its declared maximum, capped at the
   * integration's memory limit and at what the runtime can hold.
   *
   * @param initialPages the pages the memory starts with
   * @param declaredMaximumPages the maximum the module declares
   * @param runtimeMaximumPages the most the runtime can hold
   * @param what the module or import, for the message
   * @return the maximum in pages
   * @throws WasmException with {@link FailState#UNABLE_TO_INITIALIZE_CODE} if the memory starts
   *     over the limit
   */
  protected final int maximumPages(
      int initialPages, int declaredMaximumPages, int runtimeMaximumPages, String what) {
    long limitPages = Math.max(0, integration.memoryLimitBytes() / PAGE_SIZE);
    int max = (int) Math.min(declaredMaximumPages, Math.min(limitPages, runtimeMaximumPages));
    if (initialPages > max) {
      throw initError(
          "Failed to load Wasm module "
              + what
              + ": its memory starts at "
              + initialPages
              + " pages, over the memory limit of "
              + integration.memoryLimitBytes()
              + " bytes",
          null);
    }
    return max;
  }

  /**
   * Returns an error of loading or linking.
   *
   * @param message what is wrong
   * @param cause the cause, or null
   * @return the error, with {@link FailState#UNABLE_TO_INITIALIZE_CODE}
   */
  protected static WasmException initError(String message, Throwable cause) {
    return new WasmException(FailState.UNABLE_TO_INITIALIZE_CODE, message, cause);
  }

  /**
   * Returns what went wrong, in words: the message, or the kind of failure when there is none.
   *
   * @param e the failure
   * @return its message, or its class's simple name
   */
  protected static String reason(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  /**
   * Returns the error for an export asked for with another signature than it has.
   *
   * @param name the export
   * @param want the signature asked for
   * @param exporter who exports it, for the message: "the module"
   * @param found its signature
   * @return the error to throw
   */
  protected static WasmException badSignature(
      String name, FunctionType want, String exporter, String found) {
    return initError(
        "Bad function signature for: "
            + name
            + ", want: "
            + want
            + ", but "
            + exporter
            + " exports: "
            + found,
        null);
  }

  // ---- calls ----------------------------------------------------------------------------------

  /**
   * Throws unless a function may be called now with these arguments.
   *
   * @param name the export, for messages
   * @param params how many arguments it takes
   * @param args the arguments
   * @throws IllegalStateException if the VM is closed
   * @throws WasmException with {@link FailState#RUNTIME_ERROR} if the VM has failed
   * @throws IllegalArgumentException if the number of arguments is wrong
   */
  protected final void checkCallable(String name, int params, long[] args) {
    checkOpen();
    if (failures.get() != FailState.OK) {
      throw new WasmException(
          FailState.RUNTIME_ERROR, "Function: " + name + " not called: the VM has failed");
    }
    if (args.length != params) {
      throw new IllegalArgumentException(
          name + " takes " + params + " arguments, not " + args.length);
    }
  }

  /**
   * Fails the VM for a call that failed and returns the error to throw.
   *
   * @param name the export that was called
   * @param reason what went wrong
   * @param cause the failure
   * @return the error, with {@link FailState#RUNTIME_ERROR}
   */
  protected final WasmException callFailed(String name, String reason, Throwable cause) {
    String message = "Function: " + name + " failed: " + reason;
    fail(FailState.RUNTIME_ERROR, message);
    return new WasmException(FailState.RUNTIME_ERROR, message, cause);
  }

  /**
   * Marks the start of a call into the module; the outermost one becomes the call {@link
   * #terminate()} stops. Pair it with {@link #exit()} in a {@code finally}.
   */
  protected final void enter() {
    if (callDepth++ == 0) {
      runningThread = Thread.currentThread();
      // A release store is enough: only this thread ends the call, with a compare-and-set on the
      // same variable, and terminate() reads the thread after its own compare-and-set.
      runState.setRelease(RUNNING);
    }
  }

  /**
   * Marks the end of a call into the module. If {@link #terminate()} stopped the outermost call,
   * waits until its {@link #interrupt} is done and then runs {@link #clearInterrupt()}.
   */
  protected final void exit() {
    if (--callDepth == 0) {
      if (!runState.compareAndSet(RUNNING, IDLE)) {
        // terminate() is stopping this call: wait until its interrupt is sent, then clear it, as
        // it was meant for this call only.
        while (runState.get() != STOPPED) {
          Thread.yield();
        }
        clearInterrupt();
        runningThread = null;
        runState.set(IDLE);
      } else {
        runningThread = null;
      }
    }
  }

  /**
   * Stops the call in progress, if there is one, with {@link #interrupt}; does nothing between
   * calls.
   */
  @Override
  public final void terminate() {
    if (runState.compareAndSet(RUNNING, STOPPING)) {
      try {
        interrupt(runningThread);
      } finally {
        runState.set(STOPPED);
      }
    }
  }

  /**
   * Asks the running call to stop; runs on the thread that called {@link #terminate()}, once per
   * call at most. Does nothing here.
   *
   * @param running the thread inside the module
   */
  protected void interrupt(Thread running) {}

  /**
   * Undoes {@link #interrupt} once the stopped call has left the module, on its thread. Does
   * nothing here.
   */
  protected void clearInterrupt() {}

  // ---- trace lines ----------------------------------------------------------------------------

  /**
   * Returns whether calls are traced now.
   *
   * @return whether the integration's level is {@link LogLevel#TRACE}
   */
  protected final boolean tracing() {
    return integration.logLevel() == LogLevel.TRACE;
  }

  /**
   * Traces a call from the host into the module: {@code [host->vm] name(args)}.
   *
   * @param name the export
   * @param params its parameter types
   * @param args the arguments
   */
  protected final void traceCall(String name, List<ValueType> params, long[] args) {
    integration.trace("[host->vm] " + name + "(" + format(params, args) + ")");
  }

  /**
   * Traces the return of a call from the host: {@code [host<-vm] name return: results}.
   *
   * @param name the export
   * @param types its result types
   * @param results the results
   */
  protected final void traceReturn(String name, List<ValueType> types, long[] results) {
    integration.trace("[host<-vm] " + name + " return: " + formatReturn(types, results));
  }

  /**
   * Formats values for a trace line: i32 as unsigned, i64 as signed, floats by value.
   *
   * @param types the value types
   * @param values the values
   * @return the values, separated by commas
   */
  public static String format(List<ValueType> types, long[] values) {
    StringJoiner joined = new StringJoiner(", ");
    for (int i = 0; i < values.length; i++) {
      long value = values[i];
      joined.add(
          i >= types.size()
              ? Long.toString(value)
              : switch (types.get(i)) {
                case I32 -> Integer.toUnsignedString((int) value);
                case I64 -> Long.toString(value);
                case F32 -> Float.toString(Float.intBitsToFloat((int) value));
                case F64 -> Double.toString(Double.longBitsToDouble(value));
              });
    }
    return joined.toString();
  }

  /**
   * Formats results for a trace line: {@code void} when there are none.
   *
   * @param types the result types
   * @param results the results, or null
   * @return the results, separated by commas, or {@code void}
   */
  public static String formatReturn(List<ValueType> types, long[] results) {
    return results == null || results.length == 0 ? "void" : format(types, results);
  }
}

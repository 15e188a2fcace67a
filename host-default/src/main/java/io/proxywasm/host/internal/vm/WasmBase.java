package io.proxywasm.host.internal.vm;

import io.proxywasm.host.PluginFailure;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.HostAbi;
import io.proxywasm.spi.VmCapability;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmVm;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One VM as the host drives it: the module instance and the parts that serve it, each with one job.
 * {@link VmFactory} creates, loads and clones it; {@link CallDispatcher} calls into it (the context
 * of each call, the effective context, the deadline, after-call actions); {@link GuestMemory} fills
 * its linear memory; {@link ContextTable} numbers its contexts and starts and shuts down its roots;
 * {@link FailureRecord} keeps why it failed; {@link VmEvents} reports it to the extension; {@link
 * Restriction} limits what its start functions and allocator may call. A base VM validates the code
 * and is the template for clones; each worker runs its own clone.
 *
 * <p><b>Locking.</b> A VM is never entered by two threads at once, and this class alone holds the
 * lock that ensures it: its entry points ({@link #cloneForWorker}, {@link #rootFor}, {@link
 * #canary}, {@link #removeRoot}, {@link #shutdown}, {@link #close}, {@link #memorySize}, {@link
 * #liveContexts}, {@link Delivery#post}), {@link #enterStream} and {@link #locked} / {@link
 * #lockedRun} take it, and every call into the guest and every stream context joining the VM's
 * table checks that its thread holds it ({@link #checkEntered}). Opening a stream takes no lock:
 * its context takes an id from an atomic counter ({@link Context#open}). The rules, and what each
 * stream event takes, are stated once, in docs/architecture.md ("Locking").
 */
public final class WasmBase {
  private final HostServices host;
  private final VmSpec spec;
  private final WasmVm vm;
  private final AbiVersion abi;
  private final ReentrantLock lock = new ReentrantLock();
  private final FailureRecord failures = new FailureRecord();
  private final Restriction restriction = new Restriction();
  private final CallDispatcher calls;
  private final ContextTable contexts;
  private final GuestMemory memory;
  private final VmEvents events;
  private final LogLimiter logLimiter;
  private final HostAbi hostAbi;
  private final Delivery delivery;
  private volatile boolean closed;

  WasmBase(HostServices host, VmSpec spec, WasmVm vm, AbiVersion abi, VmIntegration integration) {
    this.host = host;
    this.spec = spec;
    this.vm = vm;
    this.abi = abi;
    boolean terminable = spec.provider().capabilities().contains(VmCapability.TERMINATE);
    this.calls =
        new CallDispatcher(
            this, terminable && !spec.callDeadline().isZero() ? spec.callDeadline().toNanos() : 0);
    this.contexts = new ContextTable(this);
    this.memory = new GuestMemory(vm, calls, restriction, failures);
    this.events = new VmEvents(host, integration.owner(), spec, vm);
    this.hostAbi = host.hostFunctions().hostAbi(this);
    this.delivery = new Delivery(this, host);
    this.logLimiter =
        new LogLimiter(host.logLimit().linesPerSecond(), host.logLimit().charactersPerSecond());
    vm.addFailCallback(failures::failed);
    integration.bind(this);
    if (calls.hasDeadline()) {
      host.watchdog().watch(this);
    }
  }

  // ---- entering the VM --------------------------------------------------------------------------

  /**
   * Runs work under this VM's lock.
   *
   * @param work what to run; it may call into the VM
   * @param <T> what it returns
   * @return what the work returned
   */
  public <T> T locked(Supplier<T> work) {
    lock.lock();
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Work run under a VM's lock with its inputs passed as arguments.
   *
   * @param <A> the first input
   * @param <B> the second input
   * @param <C> the third input
   * @param <T> what it returns
   */
  @FunctionalInterface
  public interface Work<A, B, C, T> {
    /**
     * Runs the work.
     *
     * @param a the first input
     * @param b the second input
     * @param c the third input
     * @param flag a fourth input, a flag
     * @return the result
     */
    T run(A a, B b, C c, boolean flag);
  }

  /**
   * Runs work under this VM's lock, with its inputs as arguments: a lambda or method reference that
   * captures nothing is created once, not on every call.
   *
   * @param work what to run; it may call into the VM
   * @param a the work's first input
   * @param b its second input
   * @param c its third input
   * @param flag its flag
   * @param <A> the first input
   * @param <B> the second input
   * @param <C> the third input
   * @param <T> what it returns
   * @return what the work returned
   */
  public <A, B, C, T> T locked(Work<A, B, C, T> work, A a, B b, C c, boolean flag) {
    lock.lock();
    try {
      return work.run(a, b, c, flag);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs a stream's event under this VM's lock: the stream's context joins the VM's table first if
   * this is the stream's first entry ({@link Context#join}), then the work runs.
   *
   * @param stream the stream's context, opened on a root of this VM
   * @param work what to run; it may call into the VM
   * @param <T> what it returns
   * @return what the work returned
   */
  public <T> T enterStream(Context stream, Supplier<T> work) {
    lock.lock();
    try {
      stream.join();
      return work.get();
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@link #enterStream(Context, Supplier)} with the work's inputs as arguments, as {@link
   * #locked(Work, Object, Object, Object, boolean)} takes them: nothing is allocated per event.
   *
   * @param stream the stream's context, opened on a root of this VM
   * @param work what to run; it may call into the VM
   * @param a the work's first input
   * @param b its second input
   * @param c its third input
   * @param flag its flag
   * @param <A> the first input
   * @param <B> the second input
   * @param <C> the third input
   * @param <T> what it returns
   * @return what the work returned
   */
  public <A, B, C, T> T enterStream(
      Context stream, Work<A, B, C, T> work, A a, B b, C c, boolean flag) {
    lock.lock();
    try {
      stream.join();
      return work.run(a, b, c, flag);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs work under this VM's lock.
   *
   * @param work what to run; it may call into the VM
   */
  public void lockedRun(Runnable work) {
    lock.lock();
    try {
      work.run();
    } finally {
      lock.unlock();
    }
  }

  /** Fails unless the calling thread is inside this VM (holds its lock). */
  void checkEntered() {
    if (!lock.isHeldByCurrentThread()) {
      throw new IllegalStateException(
          "the host called into a VM without entering it first (locked or an entry point)");
    }
  }

  /**
   * Creates a worker's copy of this base VM, as its runtime's cloneability allows.
   *
   * @param integration the clone's embedder hooks, naming the plugin it is created for
   * @return the started clone
   * @throws WasmException with {@link FailState#UNABLE_TO_CLONE_VM} or the failure of starting it
   */
  public WasmBase cloneForWorker(VmIntegration integration) {
    return locked(() -> VmFactory.cloneOf(this, integration));
  }

  /**
   * Returns the plugin's root context in this VM, starting and configuring it first if needed.
   *
   * @param plugin the plugin
   * @return the root context
   * @throws WasmException if {@code proxy_on_vm_start} or {@code proxy_on_configure} fails
   */
  public Context rootFor(LoadedPlugin plugin) {
    lock.lock();
    try {
      return contexts.rootFor(plugin);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts and configures the plugin as a load-time canary; a rejected configuration shuts its root
   * down (the handle's destructor in cpp-host). The caller discards the VM afterwards.
   *
   * @param plugin the plugin
   * @throws WasmException if the plugin does not start or rejects its configuration
   */
  public void canary(LoadedPlugin plugin) {
    lockedRun(() -> contexts.canary(plugin));
  }

  /**
   * Shuts down a closed plugin's root context in this VM ({@code proxy_on_done}, {@code
   * proxy_on_delete}), and closes the VM once no plugin uses it.
   *
   * @param plugin the plugin
   * @return true if no plugin uses the VM any more (it is closed, or closes at the last {@code
   *     proxy_done})
   */
  public boolean removeRoot(LoadedPlugin plugin) {
    return locked(() -> contexts.remove(plugin));
  }

  /**
   * Shuts every root context down ({@code proxy_on_done}, then {@code proxy_on_delete} unless the
   * plugin asked to finish later) and closes the VM: now, or once no root waits for {@code
   * proxy_done}.
   *
   * @param now true to close now, without waiting for {@code proxy_done}
   */
  public void shutdown(boolean now) {
    lockedRun(() -> contexts.shutdown(now));
  }

  /** Releases the module instance and reports {@link io.proxywasm.spi.WasmEvent#VM_SHUT_DOWN}. */
  public void close() {
    lockedRun(
        () -> {
          if (closed) {
            return;
          }
          closed = true;
          host.watchdog().forget(this);
          for (Context c : contexts.live()) {
            c.cancelTimers();
          }
          events.releaseMemory();
          vm.close();
          events.shutDown();
        });
  }

  /** Releases a VM that failed to start: no event, it was never reported as created. */
  void discard() {
    closed = true;
    host.watchdog().forget(this);
    vm.close();
  }

  /**
   * Returns the size of the VM's linear memory.
   *
   * @return bytes; 0 once closed
   */
  public long memorySize() {
    return locked(() -> closed ? 0 : GuestMemory.sizeOf(vm));
  }

  /**
   * Returns the number of live contexts, root contexts included.
   *
   * @return the count
   */
  public int liveContexts() {
    return locked(contexts::size);
  }

  /**
   * Delivers this VM's asynchronous events on the given executor from now on: a worker's event
   * loop, as Envoy runs a plugin's timers on its worker's dispatcher. The executor must run tasks
   * one at a time.
   *
   * @param executor the executor
   */
  public void deliverOn(Executor executor) {
    delivery.on(executor);
  }

  // ---- state any thread may read ----------------------------------------------------------------

  /**
   * Records the message of the failure reported by the runtime's integration.
   *
   * @param message the message
   */
  public void recordFailureMessage(String message) {
    failures.message(message);
  }

  /**
   * Returns why the VM failed during a call, if it did.
   *
   * @return the failure, or empty while the VM is healthy
   */
  public Optional<PluginFailure> failure() {
    return failures.failure();
  }

  /**
   * Returns whether the VM was closed.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Returns whether the VM has failed.
   *
   * @return true after a trap or another failure
   */
  public boolean isFailed() {
    return failures.isFailed();
  }

  /**
   * Returns the ABI version of the module.
   *
   * @return the version
   */
  public AbiVersion abi() {
    return abi;
  }

  /**
   * Returns what defines this VM.
   *
   * @return the spec
   */
  public VmSpec spec() {
    return spec;
  }

  /**
   * Returns the host's services.
   *
   * @return the services
   */
  public HostServices host() {
    return host;
  }

  // ---- the parts, for code already inside the VM
  // --------------------------------------------------

  public WasmVm vm() {
    return vm;
  }

  CallDispatcher calls() {
    return calls;
  }

  ContextTable contexts() {
    return contexts;
  }

  FailureRecord failures() {
    return failures;
  }

  public Delivery delivery() {
    return delivery;
  }

  VmEvents events() {
    return events;
  }

  Restriction restriction() {
    return restriction;
  }

  /**
   * Returns the host functions of this VM with Java values, as the ABI layer made them for it.
   *
   * @return the host ABI
   */
  public HostAbi hostAbi() {
    return hostAbi;
  }

  LogLimiter logLimiter() {
    return logLimiter;
  }

  // What the host functions (the ABI layer) use, by name.

  public void checkAllowed(String module, String name) {
    restriction.check(module, name);
  }

  public boolean copyOut(byte[] data, long ptrPtr, long sizePtr) {
    return memory.copyOut(data, data.length, ptrPtr, sizePtr);
  }

  public <T> boolean copyOutEncoded(
      T value, int size, GuestMemory.Encoder<T> encoder, long ptrPtr, long sizePtr) {
    return memory.copyOutEncoded(value, size, encoder, ptrPtr, sizePtr);
  }

  public Context effectiveContext() {
    return calls.effectiveContext();
  }

  public boolean setEffectiveContext(int id) {
    return calls.setEffectiveContext(id);
  }

  public void afterCall(Runnable action) {
    calls.afterCall(action);
  }

  public void stopNextIteration() {
    calls.stopNextIteration();
  }

  public boolean done(Context ctx) {
    return contexts.done(ctx);
  }
}

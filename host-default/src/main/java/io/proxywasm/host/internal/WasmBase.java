package io.proxywasm.host.internal;

import io.proxywasm.host.PluginFailure;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Callback;
import io.proxywasm.spi.Cloneability;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.HostCall;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.LinearMemory;
import io.proxywasm.spi.MemoryAccessException;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One VM as the host drives it: the module instance, the callbacks fetched from it, its contexts,
 * and the state of the call in progress. A base VM validates the code and is the template for
 * clones; each worker runs its own clone.
 *
 * <p>Never entered by two threads at once: every entry point takes {@link #lock()}. The state of
 * the call in progress (current and effective context, after-call actions) lives here, in plain
 * fields, because a VM has at most one call in progress.
 */
public final class WasmBase {
  private final HostServices host;
  private final PluginInfo owner;
  private final VmSpec spec;
  private final WasmVm vm;
  private final AbiVersion abi;
  private final Cloneability startedFrom;
  private final ReentrantLock lock = new ReentrantLock();
  private final WasmFunction[] functions = new WasmFunction[Callback.values().length];
  private final io.proxywasm.spi.support.ContextMap<Context> contexts =
      new io.proxywasm.spi.support.ContextMap<>();
  private final Map<String, Context> rootContexts = new HashMap<>();

  /** Root contexts that returned false from {@code proxy_on_done}, by plugin key. */
  private final Map<String, Context> pendingDone = new HashMap<>();

  /** The last callout token of each kind (HTTP call 0, gRPC call 1, gRPC stream 2). */
  private final int[] calloutTokens = {0, 1, 2};

  /**
   * The host functions the plugin may call while the host runs its start functions or its
   * allocator, or null when every import may be called (cpp-host's restricted callbacks).
   */
  private Set<String> allowedDuringRestriction;

  /** What the restriction is for, for the trap message. */
  private String restrictedPhase = "";

  private final ArrayDeque<Runnable> afterCall = new ArrayDeque<>();
  private final MetricTable metrics;
  private int nextContextId = 1;
  private Context current;

  /** The effective context set by the plugin for the call in progress; {@link #NONE} if unset. */
  private int effectiveContextId = NONE;

  private static final int NONE = -1;

  /** The VM context (id 0): what {@code proxy_set_effective_context(0)} selects. */
  private final Context vmContext = new Context(this, 0, null, null, null);

  private int depth;
  private boolean stopNextIteration;
  private volatile FailState failState = FailState.OK;
  private volatile String failMessage = "";

  /** What caused the failure, once failed during a call. */
  private PluginFailure.Cause failureCause;

  private volatile boolean closed;

  /** The call deadline in nanoseconds, or 0 when none applies to this VM. */
  private final long deadlineNanos;

  /** When the call in progress must end ({@link System#nanoTime()}), or 0 between calls. */
  private volatile long callDeadline;

  /** The outermost callback in progress, for the deadline message. */
  private volatile Callback runningCallback = Callback.INITIALIZE;

  private boolean closeWhenDone;

  /** The runtime's {@code wasm.<runtime>.memory_size} gauge, and what this VM added to it. */
  private final io.proxywasm.spi.Metric memoryGauge;

  private long reportedMemory;

  /**
   * Where asynchronous events (ticks, queue items, callout answers, timeouts) run: the worker's
   * executor (its event loop), or this VM's own serial queue on the host's pool, or inline on the
   * scheduler's thread when the embedder gave the host its scheduler and no pool.
   */
  private java.util.concurrent.Executor delivery;

  /** The log budget of lines written outside any plugin's context (while the module starts). */
  private final LogLimiter logLimiter;

  /** The host functions' semantics with Java values, shared by wasm imports and Java plugins. */
  private final TypedHost typedHost;

  private WasmBase(
      HostServices host,
      VmSpec spec,
      WasmVm vm,
      AbiVersion abi,
      Cloneability from,
      VmIntegration integration) {
    this.host = host;
    this.owner = integration.owner();
    this.spec = spec;
    this.vm = vm;
    this.abi = abi;
    this.startedFrom = from;
    this.metrics = new MetricTable(host.extension());
    this.typedHost = new TypedHost(this);
    this.delivery =
        host.deliveryPool() == null ? Runnable::run : new SerialExecutor(host.deliveryPool());
    this.logLimiter =
        new LogLimiter(host.logLimit().linesPerSecond(), host.logLimit().charactersPerSecond());
    this.memoryGauge =
        host.extension()
            .hostMetric(
                io.proxywasm.spi.MetricType.GAUGE,
                "wasm." + spec.provider().name() + ".memory_size");
    vm.addFailCallback(this::onVmFailed);
    integration.bind(this);
    boolean terminable =
        spec.provider().capabilities().contains(io.proxywasm.spi.VmCapability.TERMINATE);
    this.deadlineNanos =
        terminable && !spec.callDeadline().isZero() ? spec.callDeadline().toNanos() : 0;
    if (deadlineNanos > 0) {
      Watchdog.watch(this);
    }
  }

  /**
   * Creates, loads, links and starts a base VM.
   *
   * @param host the host's services
   * @param spec what defines the VM
   * @param integration the VM's embedder hooks, naming the plugin it is created for
   * @return the started VM
   * @throws WasmException naming what failed
   */
  public static WasmBase createBase(HostServices host, VmSpec spec, VmIntegration integration) {
    WasmVm vm = create(spec, integration);
    try {
      AbiVersion abi = load(spec, vm);
      WasmBase base = new WasmBase(host, spec, vm, abi, Cloneability.NOT_CLONEABLE, integration);
      base.initialize(true);
      base.created();
      return base;
    } catch (RuntimeException e) {
      vm.close();
      throw e;
    }
  }

  private static WasmVm create(VmSpec spec, VmIntegration integration) {
    try {
      return spec.provider().create(integration);
    } catch (WasmException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new WasmException(
          FailState.UNABLE_TO_CREATE_VM,
          "runtime '" + spec.provider().name() + "' could not create a VM: " + e,
          e);
    }
  }

  private static AbiVersion load(VmSpec spec, WasmVm vm) {
    vm.load(spec.code());
    AbiVersion abi =
        vm.abiVersion()
            .orElseThrow(
                () ->
                    new WasmException(
                        FailState.UNABLE_TO_INITIALIZE_CODE,
                        "Missing or unknown Proxy-Wasm ABI version: the module exports none of"
                            + " proxy_abi_version_0_1_0, proxy_abi_version_0_2_0,"
                            + " proxy_abi_version_0_2_1"));
    if (!spec.provider().supportedAbiVersions().contains(abi)) {
      throw new WasmException(
          FailState.UNABLE_TO_INITIALIZE_CODE,
          "runtime '" + spec.provider().name() + "' does not support proxy-wasm ABI " + abi);
    }
    return abi;
  }

  /**
   * Creates a worker's copy of this base VM, as its runtime's cloneability allows.
   *
   * @param integration the clone's embedder hooks, naming the plugin it is created for
   * @return the started clone
   * @throws WasmException with {@link FailState#UNABLE_TO_CLONE_VM} or the failure of starting it
   */
  public WasmBase cloneForWorker(VmIntegration integration) {
    Cloneability kind = vm.cloneability();
    WasmVm copy;
    try {
      copy = kind == Cloneability.NOT_CLONEABLE ? create(spec, integration) : vm.cloneVm();
      if (kind == Cloneability.NOT_CLONEABLE) {
        load(spec, copy);
      }
    } catch (WasmException e) {
      throw new WasmException(
          FailState.UNABLE_TO_CLONE_VM, "Failed to clone Base Wasm: " + e.getMessage(), e);
    }
    WasmBase clone = new WasmBase(host, spec, copy, abi, kind, integration);
    try {
      clone.initialize(kind != Cloneability.INSTANTIATED_MODULE);
    } catch (RuntimeException e) {
      copy.close();
      throw e;
    }
    clone.created();
    return clone;
  }

  private void initialize(boolean linkAndStart) {
    if (linkAndStart) {
      for (HostFunction f : HostCalls.functions(this)) {
        vm.registerHostFunction(f);
      }
      vm.registerHostAbi(typedHost);
      vm.link(spec.vmId());
    }
    for (Callback cb : Callback.values()) {
      if (!cb.usedBy(abi) || (cb.restrictable() && !spec.allows(cb.exportName()))) {
        continue;
      }
      functions[cb.ordinal()] = vm.function(cb.exportName(), cb.type()).orElse(null);
    }
    boolean linearMemory =
        spec.provider().capabilities().contains(io.proxywasm.spi.VmCapability.WASM_BYTECODE);
    if (linearMemory && fn(Callback.MALLOC) == null && fn(Callback.ON_MEMORY_ALLOCATE) == null) {
      throw new WasmException(
          FailState.MISSING_FUNCTION, "Wasm module is missing malloc function.");
    }
    if (linkAndStart) {
      startVm();
    }
  }

  private void startVm() {
    restrict(START_ALLOWED, "while the module starts (_initialize, _start, main)");
    try {
      runStartFunctions();
    } finally {
      restrict(null, "");
    }
    if (isFailed()) {
      throw new WasmException(
          FailState.UNABLE_TO_INITIALIZE_CODE, "Failed to start the module: " + failMessage);
    }
  }

  private void restrict(Set<String> allowed, String phase) {
    allowedDuringRestriction = allowed;
    restrictedPhase = phase;
  }

  /**
   * Checks that a host function may be called now: while the module starts and inside its allocator
   * only the functions cpp-host allows may be (its {@code setRestrictedCallback}); any other call
   * traps, as it does in Envoy, so that a plugin that loads here loads there too.
   *
   * @param module the import module
   * @param name the import name
   * @throws WasmException if the call is not allowed now
   */
  void checkAllowed(String module, String name) {
    Set<String> allowed = allowedDuringRestriction;
    if (allowed != null && !allowed.contains(module + "." + name)) {
      throw new WasmException(
          FailState.RUNTIME_ERROR,
          "restricted_callback: "
              + module
              + "."
              + name
              + " may not be called "
              + restrictedPhase
              + " (Envoy traps here too)");
    }
  }

  /** What cpp-host's {@code WasmBase::startVm} lets a module call while it starts. */
  private static final Set<String> START_ALLOWED = startAllowed();

  /** What cpp-host's {@code WasmBase::allocMemory} lets the plugin's allocator call. */
  private static final Set<String> MALLOC_ALLOWED =
      withWasi(
          hostCalls(HostCall::allowedInAllocator), "fd_write", "clock_time_get", "poll_oneoff");

  /** The {@code env} imports the catalogue allows in a restricted phase. */
  private static Set<String> hostCalls(java.util.function.Predicate<HostCall> allowed) {
    Set<String> out = new java.util.HashSet<>();
    for (HostCall call : HostCall.values()) {
      if (allowed.test(call)) {
        out.add(HostCall.MODULE + "." + call.abiName());
      }
    }
    return out;
  }

  private static Set<String> withWasi(Set<String> base, String... wasi) {
    Set<String> out = new java.util.HashSet<>(base);
    for (String name : wasi) {
      out.add("wasi_unstable." + name);
      out.add("wasi_snapshot_preview1." + name);
    }
    return Set.copyOf(out);
  }

  private static Set<String> startAllowed() {
    return withWasi(
        hostCalls(HostCall::allowedWhileStarting),
        "fd_write",
        "args_sizes_get",
        "args_get",
        "environ_sizes_get",
        "environ_get",
        "clock_time_get",
        "clock_res_get",
        "random_get",
        "poll_oneoff",
        "fd_fdstat_get",
        "fd_fdstat_set_flags",
        "fd_advise",
        "fd_allocate",
        "fd_datasync",
        "fd_fdstat_set_rights",
        "fd_filestat_get",
        "fd_filestat_set_size",
        "fd_filestat_set_times",
        "fd_pread",
        "fd_prestat_dir_name",
        "fd_prestat_get",
        "fd_pwrite",
        "fd_readdir",
        "fd_renumber",
        "fd_sync",
        "fd_tell",
        "path_create_directory",
        "path_filestat_get",
        "path_filestat_set_times",
        "path_link",
        "path_readlink",
        "path_remove_directory",
        "path_rename",
        "path_symlink",
        "path_unlink_file",
        "sock_accept",
        "sock_recv",
        "sock_send",
        "sock_shutdown");
  }

  private void runStartFunctions() {
    if (fn(Callback.INITIALIZE) != null) {
      callIn(vmContext, Callback.INITIALIZE);
      if (!isFailed() && fn(Callback.MAIN) != null) {
        callIn(vmContext, Callback.MAIN, 0, 0);
      } else if (!isFailed() && fn(Callback.MAIN_VOID) != null) {
        callIn(vmContext, Callback.MAIN_VOID);
      }
    } else if (fn(Callback.START) != null) {
      callIn(vmContext, Callback.START);
    }
  }

  /**
   * Returns the host functions' semantics for this VM, with Java values.
   *
   * @return the typed host ABI
   */
  TypedHost typedHost() {
    return typedHost;
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
   * @param args its arguments
   * @return the i32 result, zero-extended, or 0
   */
  long callIn(Context ctx, Callback cb, long... args) {
    return invoke(ctx, cb, args) & 0xFFFF_FFFFL;
  }

  /**
   * Calls a callback that returns a filter status and reports whether iteration was stopped by a
   * local response during the call.
   *
   * @param ctx the context
   * @param cb the callback
   * @param args the arguments
   * @return the raw result in the low 32 bits; bit 32 set when iteration must stop
   */
  long callForStatus(Context ctx, Callback cb, long... args) {
    return invoke(ctx, cb, args);
  }

  private long invoke(Context ctx, Callback cb, long[] args) {
    WasmFunction f = functions[cb.ordinal()];
    if (f == null || isFailed() || closed) {
      return 0;
    }
    Context savedCurrent = current;
    int savedEffective = effectiveContextId;
    current = ctx;
    effectiveContextId = NONE;
    boolean outermost = depth == 0;
    if (outermost && deadlineNanos > 0) {
      runningCallback = cb;
      callDeadline = System.nanoTime() + deadlineNanos;
    }
    depth++;
    long result = 0;
    try {
      long[] r = f.call(args);
      result = r == null || r.length == 0 ? 0 : r[0] & 0xFFFF_FFFFL;
    } catch (WasmException e) {
      recordFailure(PluginFailure.Cause.TRAP, e.getMessage());
      if (failState == FailState.OK) {
        vm.fail(FailState.RUNTIME_ERROR, e.getMessage());
      }
    } catch (RuntimeException e) {
      // A runtime that breaks its contract must not take the embedder down with it.
      String message = "Function: " + cb.exportName() + " failed in the runtime: " + e;
      recordFailure(PluginFailure.Cause.RUNTIME_FAILURE, message);
      vm.fail(FailState.RUNTIME_ERROR, message);
    } finally {
      if (outermost) {
        callDeadline = 0;
      }
      current = savedCurrent;
      effectiveContextId = savedEffective;
      depth--;
      if (depth == 0) {
        if (!closed) {
          reportMemory();
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
   * Stops the call in progress if it is past its deadline; called by the watchdog's thread.
   *
   * @param now the current {@link System#nanoTime()}
   */
  void enforceDeadline(long now) {
    long deadline = callDeadline;
    if (deadline == 0 || now - deadline < 0 || isFailed()) {
      return;
    }
    // Fail first, so that the deadline (not the interruption it causes) is the reason.
    String message =
        "Function: "
            + runningCallback.exportName()
            + " failed: execution deadline of "
            + spec.callDeadline().toMillis()
            + " ms exceeded";
    recordFailure(PluginFailure.Cause.DEADLINE_EXCEEDED, message);
    vm.fail(FailState.RUNTIME_ERROR, message);
    vm.terminate();
  }

  /**
   * Runs a task later on the host's scheduler, under this VM's lock, unless the VM is closed by
   * then: how asynchronous events (callout answers, queue items, timeouts) reach the plugin.
   *
   * @param delay how long to wait
   * @param task what to run
   * @return a handle to cancel it
   */
  io.proxywasm.host.Scheduler.Cancellable post(java.time.Duration delay, Runnable task) {
    Runnable locked =
        () -> {
          lock.lock();
          try {
            if (!closed) {
              task.run();
            }
          } finally {
            lock.unlock();
          }
        };
    return host.scheduler().schedule(delay, () -> delivery.execute(locked));
  }

  /**
   * Delivers this VM's asynchronous events on the given executor from now on: a worker's event
   * loop, as Envoy runs a plugin's timers on its worker's dispatcher. The executor must run tasks
   * one at a time.
   *
   * @param executor the executor
   */
  public void deliverOn(java.util.concurrent.Executor executor) {
    this.delivery = java.util.Objects.requireNonNull(executor, "executor");
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

  /**
   * Queues an action to run after the outermost call into the VM returns.
   *
   * @param action the action
   */
  void afterCall(Runnable action) {
    if (depth == 0) {
      action.run();
    } else {
      afterCall.add(action);
    }
  }

  /**
   * Returns the context host calls act on: the effective context if one is set, else the current.
   *
   * @return the context; never null during a call
   */
  Context effectiveContext() {
    if (effectiveContextId == 0) {
      return vmContext;
    }
    if (effectiveContextId != NONE) {
      Context c = contexts.get(effectiveContextId);
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
    if (id != 0 && !contexts.containsKey(id)) {
      return false;
    }
    effectiveContextId = id;
    return true;
  }

  /**
   * Returns the next callout token of a kind, numbered per VM: {@code 4n + kind}, as cpp-host's
   * {@code nextHttpCallId}, {@code nextGrpcCallId} and {@code nextGrpcStreamId} number them.
   *
   * @param kind 0 for HTTP calls, 1 for gRPC calls, 2 for gRPC streams
   * @return the token, never 0
   */
  int nextCalloutToken(int kind) {
    int next = calloutTokens[kind] + 4;
    if (next <= 0) {
      next = 4 + kind; // after 2^31 callouts, start again
    }
    calloutTokens[kind] = next;
    return next;
  }

  /**
   * Allocates memory in the VM with its {@code malloc} (or {@code proxy_on_memory_allocate}).
   *
   * @param size the number of bytes
   * @return the address, or 0 on failure
   */
  long allocate(int size) {
    Callback allocator = has(Callback.MALLOC) ? Callback.MALLOC : Callback.ON_MEMORY_ALLOCATE;
    Context ctx = current != null ? current : vmContext;
    Set<String> savedAllowed = allowedDuringRestriction;
    String savedPhase = restrictedPhase;
    restrict(MALLOC_ALLOWED, "inside the plugin's allocator (" + allocator.exportName() + ")");
    long address;
    try {
      address = callIn(ctx, allocator, size);
    } finally {
      restrict(savedAllowed, savedPhase);
    }
    if (address == 0 || isFailed()) {
      return 0;
    }
    try {
      MemoryAccessException.checkBounds(address, size, memorySizeOf(vm));
    } catch (MemoryAccessException e) {
      return 0;
    }
    return address;
  }

  /**
   * Copies bytes into newly allocated VM memory and writes its address and size to the given
   * pointers. Empty data writes 0 and 0 without allocating, as cpp-host does.
   *
   * @param data the bytes
   * @param ptrPtr where to write the address; 0 to skip
   * @param sizePtr where to write the size; 0 to skip
   * @return false on an allocation failure or a bad pointer
   */
  boolean copyOut(byte[] data, long ptrPtr, long sizePtr) {
    return copyOut(data, data.length, ptrPtr, sizePtr);
  }

  /**
   * Copies the first {@code length} bytes of {@code data} into memory the plugin allocates, and
   * writes the address and size where the plugin asked.
   */
  boolean copyOut(byte[] data, int length, long ptrPtr, long sizePtr) {
    LinearMemory memory = vm.memory().orElseThrow();
    try {
      long address = 0;
      if (length > 0) {
        address = allocate(length);
        if (address == 0) {
          return false;
        }
        memory.write(address, data, 0, length);
      }
      if (ptrPtr != 0) {
        memory.writeWord(ptrPtr, address);
      }
      if (sizePtr != 0) {
        memory.writeWord(sizePtr, length);
      }
      return true;
    } catch (MemoryAccessException e) {
      return false;
    }
  }

  /** Writes a value into a buffer from index 0; returns the bytes written. */
  @FunctionalInterface
  interface Encoder<T> {
    int encode(T value, byte[] target);
  }

  /**
   * Encodes a value into the scratch buffer and copies it out as {@link #copyOut} does: no
   * allocation on the way but the plugin's own.
   *
   * @param value what to encode
   * @param size its encoded size
   * @param encoder how to encode it
   */
  <T> boolean copyOutEncoded(T value, int size, Encoder<T> encoder, long ptrPtr, long sizePtr) {
    byte[] buffer = takeScratch(size);
    try {
      return copyOut(buffer, encoder.encode(value, buffer), ptrPtr, sizePtr);
    } finally {
      giveBackScratch(buffer);
    }
  }

  /** The most scratch memory a VM keeps between calls; larger needs get a buffer of their own. */
  private static final int SCRATCH_KEPT = 64 * 1024;

  private static final byte[] NO_SCRATCH = new byte[0];

  private byte[] scratch = NO_SCRATCH;

  /**
   * Takes a buffer of at least {@code size} bytes for encoding something on its way into linear
   * memory; give it back with {@link #giveBackScratch}. While taken, the VM holds no scratch: a
   * host call made meanwhile (the plugin's allocator may make one) gets a buffer of its own and
   * cannot overwrite this one. Only under the VM's lock.
   */
  private byte[] takeScratch(int size) {
    byte[] b = scratch;
    scratch = NO_SCRATCH;
    if (b.length >= size) {
      return b;
    }
    return new byte[Math.max(size, Math.min(SCRATCH_KEPT, b.length * 2 + 256))];
  }

  /** Keeps a buffer {@link #takeScratch} gave for the next use, unless it is too big to keep. */
  private void giveBackScratch(byte[] b) {
    if (b.length <= SCRATCH_KEPT && b.length > scratch.length) {
      scratch = b;
    }
  }

  int allocContextId() {
    for (int i = 0; i < Integer.MAX_VALUE; i++) {
      int id = nextContextId;
      nextContextId = nextContextId == Integer.MAX_VALUE ? 1 : nextContextId + 1;
      if (!contexts.containsKey(id)) {
        return id;
      }
    }
    throw new IllegalStateException("no free context id");
  }

  void register(Context ctx) {
    contexts.put(ctx.id(), ctx);
  }

  void unregister(Context ctx) {
    contexts.remove(ctx.id());
  }

  /**
   * Returns the size of the VM's linear memory.
   *
   * @return bytes; 0 once closed
   */
  public long memorySize() {
    lock.lock();
    try {
      return closed ? 0 : memorySizeOf(vm);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the number of live contexts, root contexts included.
   *
   * @return the count
   */
  public int liveContexts() {
    return contexts.size();
  }

  /**
   * Returns the plugin's root context in this VM.
   *
   * @param plugin the plugin
   * @return the root context, or null if the plugin was not started here
   */
  public Context rootContext(LoadedPlugin plugin) {
    return rootContexts.get(plugin.key());
  }

  /**
   * Starts the plugin's root context in this VM, or returns the one already started for it.
   *
   * @param plugin the plugin
   * @return the root context; its failure (if any) is in {@link #failState()}
   * @throws WasmException with {@link FailState#START_FAILED} if {@code proxy_on_vm_start} fails
   */
  public Context startRoot(LoadedPlugin plugin) {
    Context root = rootContexts.get(plugin.key());
    if (root != null) {
      return root;
    }
    root = Context.newRoot(this, plugin);
    rootContexts.put(plugin.key(), root);
    if (!root.onStart() || isFailed()) {
      throw new WasmException(
          FailState.START_FAILED,
          "Failed to start Wasm plugin " + plugin.info().name() + describeFailure());
    }
    return root;
  }

  /**
   * Runs {@code proxy_on_configure} for the plugin's root context.
   *
   * @param root the root context
   * @throws WasmException with {@link FailState#CONFIGURE_FAILED} if the plugin rejects it
   */
  public void configure(Context root) {
    if (!root.onConfigure() || isFailed()) {
      throw new WasmException(
          FailState.CONFIGURE_FAILED,
          "Failed to configure Wasm plugin " + root.plugin().info().name() + describeFailure());
    }
  }

  private String describeFailure() {
    return isFailed() ? ": " + failMessage : ": the plugin returned false";
  }

  /**
   * Shuts down every root context: {@code proxy_on_done}, then {@code proxy_on_delete} unless the
   * plugin asked to finish later with {@code proxy_done}.
   *
   * @return true if every root context is deleted; false if some wait for {@code proxy_done}
   */
  public boolean startShutdown() {
    for (Context root : new ArrayList<>(rootContexts.values())) {
      shutdownRoot(root);
    }
    return pendingDone.isEmpty();
  }

  /**
   * Shuts one root context down: {@code proxy_on_done}, then {@code proxy_on_delete} (which stops
   * its ticks and drops its pending callouts) unless the plugin asked to finish later with {@code
   * proxy_done}, in which case it keeps its ticks until then, as in Envoy.
   *
   * @param root the root context
   */
  public void shutdownRoot(Context root) {
    rootContexts.remove(root.plugin().key());
    if (root.onDone()) {
      root.onDelete();
    } else {
      pendingDone.put(root.plugin().key(), root);
    }
  }

  /**
   * Returns whether any root context is alive or waiting for {@code proxy_done}.
   *
   * @return true while the VM serves some plugin
   */
  public boolean hasRoots() {
    return !rootContexts.isEmpty() || !pendingDone.isEmpty();
  }

  /**
   * Closes this VM once no root context waits for {@code proxy_done} any more: now, or when the
   * last one calls it.
   */
  public void closeWhenDone() {
    closeWhenDone = true;
    if (pendingDone.isEmpty()) {
      close();
    }
  }

  /**
   * Finishes the shutdown of a root context that returned false from {@code proxy_on_done}.
   *
   * @param ctx the context calling {@code proxy_done}
   * @return whether the context was waiting to finish
   */
  boolean done(Context ctx) {
    // cpp-host's WasmBase::done: the pending root is found by the plugin's key, from any context
    Context root = ctx.plugin() == null ? null : pendingDone.remove(ctx.plugin().key());
    if (root == null) {
      return false;
    }
    afterCall(
        () -> {
          root.onDelete();
          if (closeWhenDone && pendingDone.isEmpty()) {
            close();
          }
        });
    return true;
  }

  private void onVmFailed(FailState state) {
    failState = state;
  }

  /**
   * Records the message of the failure reported by the runtime's integration.
   *
   * @param message the message
   */
  public synchronized void recordFailureMessage(String message) {
    if (failMessage.isEmpty()) {
      failMessage = message;
    }
  }

  /** Records what caused the VM's failure; the first cause recorded stands. */
  private synchronized void recordFailure(PluginFailure.Cause cause, String message) {
    recordFailureMessage(message);
    if (failureCause == null) {
      failureCause = cause;
    }
  }

  /**
   * Returns why the VM failed during a call, if it did.
   *
   * @return the failure, or empty while the VM is healthy
   */
  public synchronized java.util.Optional<PluginFailure> failure() {
    if (!isFailed()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        new PluginFailure(
            failState,
            failureCause == null ? PluginFailure.Cause.TRAP : failureCause,
            failMessage.isEmpty() ? "the VM failed" : failMessage));
  }

  LogLimiter logLimiter() {
    return logLimiter;
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
    return failState != FailState.OK;
  }

  /**
   * Returns the failure kind.
   *
   * @return {@link FailState#OK} unless failed
   */
  public FailState failState() {
    return failState;
  }

  /**
   * Returns the lock that serialises every entry into this VM.
   *
   * @return the lock
   */
  public ReentrantLock lock() {
    return lock;
  }

  /**
   * Returns the module instance.
   *
   * @return the VM
   */
  public WasmVm vm() {
    return vm;
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

  MetricTable metrics() {
    return metrics;
  }

  private void created() {
    reportMemory();
    host.extension()
        .onEvent(
            WasmEvent.VM_CREATED,
            owner,
            (startedFrom == Cloneability.NOT_CLONEABLE ? "VM " : "clone ") + spec.vmKey());
  }

  /** Releases the module instance and reports {@link WasmEvent#VM_SHUT_DOWN}; idempotent. */
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Watchdog.forget(this);
    for (Context c : contexts.values()) {
      c.cancelTimers();
    }
    memoryGauge.add(-reportedMemory);
    reportedMemory = 0;
    vm.close();
    host.extension().onEvent(WasmEvent.VM_SHUT_DOWN, owner, spec.vmKey());
  }

  /**
   * Brings the host gauge {@code wasm.<runtime>.memory_size} (the sum of the linear memory of every
   * live VM of the runtime) up to date with this VM's size; called when a VM is created and after
   * each outermost call, which is when memory can have grown.
   */
  private void reportMemory() {
    long size = memorySizeOf(vm);
    if (size != reportedMemory) {
      memoryGauge.add(size - reportedMemory);
      reportedMemory = size;
    }
  }

  /** The size of a VM's linear memory; 0 for a runtime without one. */
  private static long memorySizeOf(WasmVm vm) {
    Optional<LinearMemory> memory = vm.memory();
    return memory.isPresent() ? memory.get().size() : 0;
  }
}

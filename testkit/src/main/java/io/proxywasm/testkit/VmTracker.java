package io.proxywasm.testkit;

import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Callback;
import io.proxywasm.spi.Cloneability;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionExport;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostAbi;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.LinearMemory;
import io.proxywasm.spi.VmCapability;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.WasmVmProvider;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Knows which VM of the kit, and which context in it, the current thread is running, so that a log
 * line can say where it came from. It wraps each runtime: every VM the host creates through it is
 * labelled (base, canary, worker, service) by what the kit was doing when the host made it, and
 * every call into a {@code proxy_on_*} export records the context id, its first argument. The
 * wrappers only observe: every call goes through to the runtime unchanged.
 */
final class VmTracker {
  /** What the kit is doing, which names the clones the host makes meanwhile. */
  enum Phase {
    /** Loading a filter: its clone is the canary. */
    LOAD,
    /** Starting a service: the first clone is the canary, the next the service's VM. */
    SERVICE,
    /** Anything else: clones serve a worker. */
    WORKER
  }

  /** Where the current thread is: a VM and a context id (0 for none). */
  record Origin(VmKind vm, int contextId) {
    static final Origin NONE = new Origin(VmKind.NONE, 0);
  }

  private final ThreadLocal<Deque<Origin>> calls = ThreadLocal.withInitial(ArrayDeque::new);
  private final ThreadLocal<Phase> phase = ThreadLocal.withInitial(() -> Phase.WORKER);
  private final ThreadLocal<int[]> clonesInPhase = ThreadLocal.withInitial(() -> new int[1]);
  private final ThreadLocal<boolean[]> basesInPhase = ThreadLocal.withInitial(() -> new boolean[1]);

  VmTracker() {}

  /** Returns where the current thread is. */
  Origin current() {
    Origin top = calls.get().peek();
    return top == null ? Origin.NONE : top;
  }

  /** Runs an action of the kit in a phase. */
  <T> T in(Phase p, Callable<T> action) throws Exception {
    Phase before = phase.get();
    int clonesBefore = clonesInPhase.get()[0];
    boolean baseBefore = basesInPhase.get()[0];
    phase.set(p);
    clonesInPhase.get()[0] = 0;
    basesInPhase.get()[0] = false;
    try {
      return action.call();
    } finally {
      phase.set(before);
      clonesInPhase.get()[0] = clonesBefore;
      basesInPhase.get()[0] = baseBefore;
    }
  }

  private VmKind cloneKind() {
    int n = ++clonesInPhase.get()[0];
    return switch (phase.get()) {
      case LOAD -> n == 1 ? VmKind.CANARY : VmKind.WORKER;
      case SERVICE -> n == 1 ? VmKind.CANARY : VmKind.SERVICE;
      case WORKER -> VmKind.WORKER;
    };
  }

  /** Wraps a runtime so that its VMs are tracked. */
  WasmVmProvider wrap(WasmVmProvider runtime) {
    return new WasmVmProvider() {
      @Override
      public String name() {
        return runtime.name();
      }

      @Override
      public Set<VmCapability> capabilities() {
        return runtime.capabilities();
      }

      @Override
      public Set<AbiVersion> supportedAbiVersions() {
        return runtime.supportedAbiVersions();
      }

      @Override
      public int priority() {
        return runtime.priority();
      }

      @Override
      public WasmVm create(WasmVmIntegration integration) {
        WasmVm vm = runtime.create(integration);
        VmKind kind;
        if (vm.cloneability() != Cloneability.NOT_CLONEABLE) {
          kind = VmKind.BASE; // the host clones every other VM from its base
        } else if (phase.get() != Phase.WORKER && !basesInPhase.get()[0]) {
          // A runtime that cannot clone gets a fresh VM for each clone too: the first VM a load
          // makes is taken for the base (a plugin sharing an existing base mislabels its canary).
          basesInPhase.get()[0] = true;
          kind = VmKind.BASE;
        } else {
          kind = cloneKind();
        }
        return new TrackedVm(vm, kind);
      }
    };
  }

  /** A VM that records where calls into it come from; everything else goes to the runtime's VM. */
  private final class TrackedVm implements WasmVm {
    private final WasmVm vm;
    private final VmKind kind;

    TrackedVm(WasmVm vm, VmKind kind) {
      this.vm = vm;
      this.kind = kind;
    }

    @Override
    public String runtimeName() {
      return vm.runtimeName();
    }

    @Override
    public Cloneability cloneability() {
      return vm.cloneability();
    }

    @Override
    public void load(byte[] code) {
      vm.load(code);
    }

    @Override
    public Optional<AbiVersion> abiVersion() {
      return vm.abiVersion();
    }

    @Override
    public List<FunctionImport> functionImports() {
      return vm.functionImports();
    }

    @Override
    public List<FunctionExport> functionExports() {
      return vm.functionExports();
    }

    @Override
    public void registerHostFunction(HostFunction function) {
      vm.registerHostFunction(function);
    }

    @Override
    public void registerHostAbi(HostAbi hostAbi) {
      vm.registerHostAbi(hostAbi);
    }

    @Override
    public void link(String debugName) {
      vm.link(debugName);
    }

    @Override
    public Optional<WasmFunction> function(String name, FunctionType type) {
      boolean hasContext =
          java.util.Arrays.stream(Callback.values())
                  .anyMatch(c -> c.restrictable() && c.exportName().equals(name))
              && !type.params().isEmpty();
      return vm.function(name, type)
          .map(
              f ->
                  args -> {
                    Deque<Origin> stack = calls.get();
                    Origin outer = stack.peek();
                    int context =
                        hasContext && args.length > 0
                            ? (int) args[0]
                            : outer != null && outer.vm() == kind ? outer.contextId() : 0;
                    stack.push(new Origin(kind, context));
                    try {
                      return f.call(args);
                    } finally {
                      stack.pop();
                    }
                  });
    }

    @Override
    public Optional<LinearMemory> memory() {
      return vm.memory();
    }

    @Override
    public WasmVm cloneVm() {
      return new TrackedVm(vm.cloneVm(), cloneKind());
    }

    @Override
    public FailState failState() {
      return vm.failState();
    }

    @Override
    public void fail(FailState state, String message) {
      vm.fail(state, message);
    }

    @Override
    public void addFailCallback(Consumer<FailState> callback) {
      vm.addFailCallback(callback);
    }

    @Override
    public void terminate() {
      vm.terminate();
    }

    @Override
    public void close() {
      vm.close();
    }
  }
}

package io.proxywasm.host.internal.vm;

import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Callback;
import io.proxywasm.spi.Cloneability;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.VmCapability;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmVm;

/**
 * Makes VMs: creates and loads a base VM, links the host's functions and runs the module's start
 * functions, and clones it for a worker as its runtime's cloneability allows. A VM that fails on
 * the way is released before the exception leaves.
 */
public final class VmFactory {
  private VmFactory() {}

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
    WasmBase base;
    try {
      AbiVersion abi = load(spec, vm);
      base = new WasmBase(host, spec, vm, abi, integration);
    } catch (RuntimeException e) {
      vm.close();
      throw e;
    }
    return started(base, true, Cloneability.NOT_CLONEABLE);
  }

  /** Clones a base VM; the caller holds the base's lock. */
  static WasmBase cloneOf(WasmBase base, VmIntegration integration) {
    VmSpec spec = base.spec();
    Cloneability kind = base.vm().cloneability();
    WasmVm copy;
    try {
      copy = kind == Cloneability.NOT_CLONEABLE ? create(spec, integration) : base.vm().cloneVm();
      if (kind == Cloneability.NOT_CLONEABLE) {
        load(spec, copy);
      }
    } catch (WasmException e) {
      throw new WasmException(
          FailState.UNABLE_TO_CLONE_VM, "Failed to clone Base Wasm: " + e.getMessage(), e);
    }
    WasmBase clone = new WasmBase(base.host(), spec, copy, base.abi(), integration);
    return started(clone, kind != Cloneability.INSTANTIATED_MODULE, kind);
  }

  private static WasmBase started(WasmBase wasm, boolean linkAndStart, Cloneability from) {
    try {
      wasm.lockedRun(() -> initialize(wasm, linkAndStart));
    } catch (RuntimeException e) {
      wasm.discard();
      throw e;
    }
    wasm.lockedRun(() -> wasm.events().created(from));
    return wasm;
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

  private static void initialize(WasmBase wasm, boolean linkAndStart) {
    WasmVm vm = wasm.vm();
    VmSpec spec = wasm.spec();
    if (linkAndStart) {
      for (HostFunction f : wasm.host().hostFunctions().imports(wasm)) {
        vm.registerHostFunction(f);
      }
      vm.registerHostAbi(wasm.hostAbi());
      vm.link(spec.vmId());
    }
    CallDispatcher calls = wasm.calls();
    for (Callback cb : Callback.values()) {
      if (!cb.usedBy(wasm.abi()) || (cb.restrictable() && !spec.allows(cb.exportName()))) {
        continue;
      }
      calls.bind(cb, vm.function(cb.exportName(), cb.type()).orElse(null));
    }
    boolean linearMemory = spec.provider().capabilities().contains(VmCapability.WASM_BYTECODE);
    if (linearMemory && !calls.has(Callback.MALLOC) && !calls.has(Callback.ON_MEMORY_ALLOCATE)) {
      throw new WasmException(
          FailState.MISSING_FUNCTION, "Wasm module is missing malloc function.");
    }
    if (linkAndStart) {
      start(wasm);
    }
  }

  /** Runs the module's start functions, allowing only what cpp-host's {@code startVm} allows. */
  private static void start(WasmBase wasm) {
    wasm.restriction()
        .during(
            Restriction.START_ALLOWED,
            "while the module starts (_initialize, _start, main)",
            () -> {
              runStartFunctions(wasm);
              return 0;
            });
    if (wasm.isFailed()) {
      throw new WasmException(
          FailState.UNABLE_TO_INITIALIZE_CODE,
          "Failed to start the module: " + wasm.failures().message());
    }
  }

  private static void runStartFunctions(WasmBase wasm) {
    CallDispatcher calls = wasm.calls();
    Context vmContext = wasm.contexts().vmContext();
    if (calls.has(Callback.INITIALIZE)) {
      calls.callIn(vmContext, Callback.INITIALIZE);
      if (!wasm.isFailed() && calls.has(Callback.MAIN)) {
        calls.callIn(vmContext, Callback.MAIN, 0, 0);
      } else if (!wasm.isFailed() && calls.has(Callback.MAIN_VOID)) {
        calls.callIn(vmContext, Callback.MAIN_VOID);
      }
    } else if (calls.has(Callback.START)) {
      calls.callIn(vmContext, Callback.START);
    }
  }
}

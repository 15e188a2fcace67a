package io.proxywasm.spi;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One module instance in one runtime: the engine adapter under the host.
 *
 * <p>Lifecycle: {@link #load(byte[])} the code, {@link #registerHostFunction register} every host
 * function, {@link #link(String) link}, then get exports with {@link #function} and call them. A VM
 * is never entered by two threads at once; the host serialises calls.
 *
 * <p>Errors are exceptions, never a crash: a module that cannot load or link throws {@link
 * WasmException}, an access outside linear memory throws {@link MemoryAccessException}, and a trap
 * during a call throws {@link WasmException} with {@link FailState#RUNTIME_ERROR} after marking the
 * VM failed.
 */
public interface WasmVm extends AutoCloseable {

  /**
   * Returns the name of the runtime, the same as its provider's {@link WasmVmProvider#name()}.
   *
   * @return for example {@code chicory}
   */
  String runtimeName();

  /**
   * Returns how this VM makes per-worker copies.
   *
   * @return the clone kind
   */
  Cloneability cloneability();

  /**
   * Parses, validates and compiles a module. The Null VM takes the UTF-8 name of a registered Java
   * plugin instead of bytecode.
   *
   * @param code the module bytes
   * @throws WasmException with {@link FailState#UNABLE_TO_INITIALIZE_CODE} naming what is wrong
   */
  void load(byte[] code);

  /**
   * Returns the ABI version the loaded module declares with its marker export.
   *
   * @return the version, or empty if the module has no marker
   * @throws IllegalStateException if nothing is loaded
   */
  Optional<AbiVersion> abiVersion();

  /**
   * Returns the imports the loaded module needs, in module order.
   *
   * @return the imported functions; empty for the Null VM
   * @throws IllegalStateException if nothing is loaded
   */
  List<FunctionImport> functionImports();

  /**
   * Returns the functions the loaded module exports, in module order, for tools that check a module
   * without running it.
   *
   * @return the exported functions whose signatures use only numbers; empty for the Null VM
   * @throws IllegalStateException if nothing is loaded
   */
  List<FunctionExport> functionExports();

  /**
   * Offers a host function to the module. Registering the same module and name again replaces the
   * earlier function. Functions the module does not import are ignored at {@link #link}.
   *
   * @param function the host function
   */
  void registerHostFunction(HostFunction function);

  /**
   * Offers the host's typed ABI, before {@link #link}. A runtime that runs Java plugins ({@link
   * VmCapability#JAVA_PLUGINS}) hands it to them so that their host calls go straight to the host
   * without linear memory; a runtime for wasm bytecode ignores it, which is the default.
   *
   * @param abi the host side of the ABI, bound to this VM
   */
  default void registerHostAbi(HostAbi abi) {}

  /**
   * Instantiates the loaded module with the registered host functions. Start functions ({@code
   * _initialize}, {@code _start}) are not run here; the host calls them.
   *
   * @param debugName a name for messages, usually the vm_id
   * @throws WasmException with {@link FailState#UNABLE_TO_INITIALIZE_CODE} if an import is missing
   *     ("missing import: env.proxy_foo") or has another signature than the host function
   */
  void link(String debugName);

  /**
   * Returns an exported function with the given signature.
   *
   * @param name the export name
   * @param type the signature the host expects
   * @return the function, or empty if the module exports no function of that name
   * @throws WasmException with {@link FailState#UNABLE_TO_INITIALIZE_CODE} if it is exported with
   *     another signature ("Bad function signature for: ...")
   */
  Optional<WasmFunction> function(String name, FunctionType type);

  /**
   * Returns the VM's linear memory, through which the host reads a plugin's arguments and writes
   * its results.
   *
   * @return the memory; empty for a runtime without linear memory (the Null VM), the default
   */
  default Optional<LinearMemory> memory() {
    return Optional.empty();
  }

  /**
   * Makes a per-worker copy, as {@link #cloneability()} describes.
   *
   * @return the copy
   * @throws WasmException with {@link FailState#UNABLE_TO_CLONE_VM} if this VM cannot be cloned
   */
  WasmVm cloneVm();

  /**
   * Returns the failure state: {@link FailState#OK} until the VM fails.
   *
   * @return the state
   */
  FailState failState();

  /**
   * Marks the VM failed, reports the failure to the integration and runs the fail callbacks. Only
   * the first failure is kept.
   *
   * @param state the failure kind; not {@link FailState#OK}
   * @param message what happened
   */
  void fail(FailState state, String message);

  /**
   * Registers a callback run when the VM fails.
   *
   * @param callback receives the failure kind
   */
  void addFailCallback(Consumer<FailState> callback);

  /**
   * Asks a running call to stop as soon as possible; callable from any thread. A runtime without
   * {@link VmCapability#TERMINATE} ignores it.
   */
  default void terminate() {}

  /** Releases the instance. Calls after close fail. */
  @Override
  void close();
}

package io.proxywasm.spi;

import java.util.EnumSet;
import java.util.Set;

/**
 * A runtime: creates {@link WasmVm}s. Providers are stateless and found with {@link
 * java.util.ServiceLoader} (declare {@code provides io.proxywasm.spi.WasmVmProvider with ...} and a
 * {@code META-INF/services} entry), or passed by hand to {@link Runtimes#of}.
 */
public interface WasmVmProvider {

  /**
   * Returns the unique name of this runtime, lower case, for example {@code chicory}.
   *
   * @return the name
   */
  String name();

  /**
   * Returns what this runtime's VMs can do.
   *
   * @return the capabilities
   */
  default Set<VmCapability> capabilities() {
    return Set.of(VmCapability.WASM_BYTECODE);
  }

  /**
   * Returns the ABI versions this runtime can run.
   *
   * @return the versions; all by default
   */
  default Set<AbiVersion> supportedAbiVersions() {
    return EnumSet.allOf(AbiVersion.class);
  }

  /**
   * Returns the preference for this runtime when none is named: the highest wins, ties go to the
   * first name in alphabetical order.
   *
   * @return the priority; 0 by default
   */
  default int priority() {
    return 0;
  }

  /**
   * Creates an empty VM.
   *
   * @param integration the embedder's hooks for this VM
   * @return a VM ready for {@link WasmVm#load(byte[])}
   * @throws WasmException with {@link FailState#UNABLE_TO_CREATE_VM} if the VM cannot be created
   */
  WasmVm create(WasmVmIntegration integration);
}

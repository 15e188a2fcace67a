package io.proxywasm.host.internal.vm;

import io.proxywasm.spi.WasmVmProvider;
import java.util.Map;
import java.util.Set;

/**
 * What defines a VM, shared by the base and its clones: everything in the vm_key.
 *
 * @param provider the runtime
 * @param vmId the vm_id
 * @param vmKey the key of this VM
 * @param code the module bytes
 * @param vmConfiguration the VM configuration
 * @param allowedCapabilities capability restriction; empty allows all
 * @param environment the WASI environment
 * @param callDeadline how long one call into the VM may run; zero for no limit
 * @param memoryLimitBytes the most linear memory the VM may have
 */
public record VmSpec(
    WasmVmProvider provider,
    String vmId,
    String vmKey,
    byte[] code,
    byte[] vmConfiguration,
    Set<String> allowedCapabilities,
    Map<String, String> environment,
    java.time.Duration callDeadline,
    long memoryLimitBytes) {

  /**
   * Returns whether a capability is allowed.
   *
   * @param name the capability name
   * @return true if unrestricted or listed
   */
  public boolean allows(String name) {
    return allowedCapabilities.isEmpty() || allowedCapabilities.contains(name);
  }
}

package io.proxywasm.spi;

import java.util.Objects;

/**
 * Who an event or metric concerns: the identity of a plugin as operators see it.
 *
 * @param name the plugin name
 * @param rootId the root_id, shared by plugins that share a root context; may be empty
 * @param vmId the vm_id, which namespaces shared data and queues; may be empty
 * @param runtime the runtime name, for example {@code chicory}
 */
public record PluginInfo(String name, String rootId, String vmId, String runtime) {
  /**
   * Creates the identity.
   *
   * @param name the plugin name
   * @param rootId the root_id
   * @param vmId the vm_id
   * @param runtime the runtime name
   */
  public PluginInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(rootId, "rootId");
    Objects.requireNonNull(vmId, "vmId");
    Objects.requireNonNull(runtime, "runtime");
  }
}

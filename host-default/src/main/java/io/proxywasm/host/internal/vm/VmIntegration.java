package io.proxywasm.host.internal.vm;

import io.proxywasm.spi.FailState;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmVmIntegration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's hooks for one VM: failures become extension events and host logs, and the failure
 * message is kept for the load error or the stream's fail policy.
 */
public final class VmIntegration implements WasmVmIntegration {
  private static final Logger LOG = LoggerFactory.getLogger("io.proxywasm.host.vm");
  private final HostServices host;
  private final PluginInfo owner;
  private final long memoryLimitBytes;
  private volatile WasmBase target;

  /**
   * Creates the hooks.
   *
   * @param host the host's services
   * @param owner the plugin the VM is created for
   * @param memoryLimitBytes the most linear memory the VM may have
   */
  public VmIntegration(HostServices host, PluginInfo owner, long memoryLimitBytes) {
    this.host = host;
    this.owner = owner;
    this.memoryLimitBytes = memoryLimitBytes;
  }

  @Override
  public long memoryLimitBytes() {
    return memoryLimitBytes;
  }

  /**
   * Returns the plugin the VM is created for.
   *
   * @return the identity
   */
  public PluginInfo owner() {
    return owner;
  }

  /**
   * Binds the VM whose failure messages to record.
   *
   * @param wasm the VM
   */
  public void bind(WasmBase wasm) {
    this.target = wasm;
  }

  @Override
  public LogLevel logLevel() {
    return LOG.isTraceEnabled() ? LogLevel.TRACE : LogLevel.INFO;
  }

  @Override
  public void error(FailState state, String message) {
    LOG.warn("wasm {} {} {}: {}", owner.name(), owner.rootId(), owner.vmId(), message);
    WasmBase w = target;
    if (w != null) {
      w.recordFailureMessage(message);
    }
    host.extension().onEvent(WasmEvent.of(state), owner, message);
  }

  @Override
  public <T> Optional<T> lookup(Class<T> type, String name) {
    Object o = host.runtimeObjects().get(name);
    return type.isInstance(o) ? Optional.of(type.cast(o)) : Optional.empty();
  }

  @Override
  public void trace(String message) {
    LOG.trace(message);
  }
}

package io.proxywasm.sdk;

import io.proxywasm.spi.BufferType;
import io.proxywasm.spi.HostCall;
import io.proxywasm.spi.WasmResult;
import java.time.Duration;

/**
 * The root context of a Java plugin: one per plugin (root_id) in each VM. It receives the VM and
 * plugin configuration, timer ticks, queue deliveries and foreign function calls, and creates the
 * plugin's HTTP or stream contexts.
 */
public abstract class RootContext extends Context {

  /** Creates a root context; the VM binds it before its first callback. */
  protected RootContext() {}

  /**
   * {@code proxy_on_vm_start}: the VM starts; {@link #vmConfiguration()} has its configuration.
   *
   * @param vmConfigurationSize the size of the VM configuration in bytes
   * @return false to fail the VM's start
   */
  public boolean onVmStart(int vmConfigurationSize) {
    return true;
  }

  /**
   * {@code proxy_on_configure}: the plugin is configured; {@link #pluginConfiguration()} has its
   * configuration.
   *
   * @param pluginConfigurationSize the size of the plugin configuration in bytes
   * @return false to reject the configuration
   */
  public boolean onConfigure(int pluginConfigurationSize) {
    return true;
  }

  /**
   * Returns the VM configuration.
   *
   * @return the bytes, empty when there is none
   */
  public final byte[] vmConfiguration() {
    return buffer(BufferType.VM_CONFIGURATION);
  }

  /**
   * Returns the plugin configuration; available during {@link #onConfigure(int)}.
   *
   * @return the bytes, empty outside {@code onConfigure} or when there is none
   */
  public final byte[] pluginConfiguration() {
    return buffer(BufferType.PLUGIN_CONFIGURATION);
  }

  /**
   * Sets the period of {@link #onTick()} ({@code proxy_set_tick_period_milliseconds}).
   *
   * @param period the period, in whole milliseconds; zero stops the ticks
   */
  public final void setTickPeriod(Duration period) {
    check(HostCall.SET_TICK_PERIOD, host().setTickPeriod(period));
  }

  /** {@code proxy_on_tick}: the timer set with {@link #setTickPeriod} fired. */
  public void onTick() {}

  /**
   * {@code proxy_on_queue_ready}: a queue this root context registered has items.
   *
   * @param token the queue
   */
  public void onQueueReady(int token) {}

  /**
   * {@code proxy_on_foreign_function}: the host calls a function of the plugin; {@link
   * #foreignFunctionArguments()} has its arguments.
   *
   * @param functionId the function
   * @param argumentsSize the size of the arguments in bytes
   */
  public void onForeignFunction(int functionId, int argumentsSize) {}

  /**
   * Returns the arguments of the foreign function call being delivered.
   *
   * @return the bytes
   */
  public final byte[] foreignFunctionArguments() {
    return buffer(BufferType.CALL_DATA);
  }

  /**
   * {@code proxy_done}: tells the host that this root context, which answered false from {@link
   * #onDone()}, has finished its work.
   *
   * @return true when the host accepted it, false when the context was not waiting to be done
   */
  public final boolean done() {
    WasmResult r = host().done();
    if (r == WasmResult.NOT_FOUND) {
      return false;
    }
    check(HostCall.DONE, r);
    return true;
  }

  /**
   * Creates the context of a new HTTP stream of this plugin; return null if the plugin does not
   * filter HTTP.
   *
   * @param contextId the id the host gives the new context
   * @return the new context, or null
   */
  public HttpContext newHttpContext(int contextId) {
    return null;
  }

  /**
   * Creates the context of a new TCP connection of this plugin; asked only when {@link
   * #newHttpContext(int)} returns null.
   *
   * @param contextId the id the host gives the new context
   * @return the new context, or null
   */
  public StreamContext newStreamContext(int contextId) {
    return null;
  }
}

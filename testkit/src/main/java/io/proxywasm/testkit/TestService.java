package io.proxywasm.testkit;

import io.proxywasm.host.Plugin;
import io.proxywasm.host.ServicePlugin;
import java.util.List;

/**
 * A singleton service plugin under the test kit (Envoy's WasmService): one VM whose root context
 * runs on ticks, shared queues and foreign function calls, and never serves streams.
 */
public final class TestService {
  private final TestHost host;
  private final ServicePlugin service;

  TestService(TestHost host, ServicePlugin service) {
    this.host = host;
    this.service = service;
  }

  /**
   * Runs {@code proxy_on_tick} now, as the service's timer would, then what it made due.
   *
   * @throws IllegalStateException if the service cannot run
   */
  public void tick() {
    if (!service.handle().tick()) {
      throw new IllegalStateException(
          "service " + service.plugin().info().name() + " cannot run: see events()");
    }
    host.settle();
  }

  /**
   * Calls the service's {@code proxy_on_foreign_function}, then delivers what it made due.
   *
   * @param functionId the function's id
   * @param arguments its argument bytes
   * @throws IllegalStateException if the service cannot run
   */
  public void callForeignFunction(int functionId, byte[] arguments) {
    if (!service.handle().callForeignFunction(functionId, arguments)) {
      throw new IllegalStateException(
          "service " + service.plugin().info().name() + " cannot run: see events()");
    }
    host.settle();
  }

  /**
   * Returns the lines this service logged.
   *
   * @return the lines, oldest first
   */
  public List<RecordingLogSink.Line> logs() {
    return host.logs().linesOf(service.plugin().info().name());
  }

  /**
   * Returns the loaded plugin: its configuration and identity.
   *
   * @return the plugin
   */
  public Plugin plugin() {
    return service.plugin();
  }

  /**
   * Returns the running service, as an embedder holds it.
   *
   * @return the service
   */
  public ServicePlugin service() {
    return service;
  }
}

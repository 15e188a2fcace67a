package io.proxywasm.examples.quarkus;

import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.WorkerPool;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The host, the plugin and the workers as CDI beans: made when the application starts (the route
 * handler needs them), closed by their disposers when it stops.
 */
@Singleton
public class ProxyWasmBeans {
  /**
   * The host: runtimes, stats, shared data and queues, the scheduler; one per application.
   *
   * @return the host
   */
  @Produces
  @Singleton
  ProxyWasmHost host() {
    return ProxyWasmHost.builder().build();
  }

  void close(@Disposes ProxyWasmHost host) {
    host.close();
  }

  /**
   * The plugin, loaded at start: a module that does not load stops the application from starting,
   * with the reason.
   *
   * @param host the host
   * @param wasm the module, from the property {@code proxywasm.plugin}
   * @return the loaded plugin
   * @throws IOException if the file cannot be read
   * @throws PluginLoadException if the module does not load
   */
  @Produces
  @Singleton
  Plugin plugin(ProxyWasmHost host, @ConfigProperty(name = "proxywasm.plugin") String wasm)
      throws IOException, PluginLoadException {
    return host.load(
        PluginConfig.builder("http-headers")
            .code(Files.readAllBytes(Path.of(wasm)))
            .failPolicy(FailPolicy.FAIL_CLOSED)
            .build());
  }

  void close(@Disposes Plugin plugin) {
    plugin.close();
  }

  /**
   * The VM clones requests run on: Vert.x runs requests on several event loops, so a pool, one
   * clone per core.
   *
   * @param host the host
   * @return the pool
   */
  @Produces
  @Singleton
  WorkerPool workers(ProxyWasmHost host) {
    return host.newWorkerPool(Runtime.getRuntime().availableProcessors());
  }

  void close(@Disposes WorkerPool workers) {
    workers.close();
  }
}

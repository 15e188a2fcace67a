package io.proxywasm.examples.spring;

import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The host, the plugin and the workers as beans: made when the application starts, closed (in the
 * reverse order) when it stops.
 */
@Configuration(proxyBeanMethods = false)
public class ProxyWasmConfiguration {
  /**
   * The host: runtimes, stats, shared data and queues, the scheduler; one per application.
   *
   * @return the host
   */
  @Bean(destroyMethod = "close")
  public ProxyWasmHost proxyWasmHost() {
    return ProxyWasmHost.builder().build();
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
  @Bean(destroyMethod = "close")
  public Plugin headersPlugin(ProxyWasmHost host, @Value("${proxywasm.plugin}") Path wasm)
      throws IOException, PluginLoadException {
    return host.load(
        PluginConfig.builder("http-headers")
            .code(Files.readAllBytes(wasm))
            .failPolicy(FailPolicy.FAIL_CLOSED)
            .build());
  }

  /**
   * The VM clones requests run on: WebFlux runs a request on any of its event-loop threads, so a
   * pool, one clone per core.
   *
   * @param host the host
   * @return the pool
   */
  @Bean(destroyMethod = "close")
  public WorkerPool proxyWasmWorkers(ProxyWasmHost host) {
    return host.newWorkerPool(Runtime.getRuntime().availableProcessors());
  }
}

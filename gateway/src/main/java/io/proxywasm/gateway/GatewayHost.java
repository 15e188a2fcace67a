package io.proxywasm.gateway;

import io.proxywasm.envoy.EnvoyWasmExtension;
import io.proxywasm.gateway.config.GatewaySpec;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Scheduler;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The host a gateway builds for itself: Envoy's stats and events, Vert.x timers as its scheduler,
 * plugins' callouts to the gateway's clusters, the node's properties, and the Java plugins offered
 * by name.
 */
final class GatewayHost {
  private GatewayHost() {}

  /**
   * Builds the host.
   *
   * @param vertx the gateway's Vert.x
   * @param spec the configuration, for the node properties
   * @param extension the Envoy extension
   * @param clusters the running cluster of a name, or null
   * @param offered the Java plugins by name
   * @return the host
   */
  static ProxyWasmHost build(
      Vertx vertx,
      GatewaySpec spec,
      EnvoyWasmExtension extension,
      Function<String, ClusterRuntime> clusters,
      Map<String, Object> offered) {
    Callouts callouts = new Callouts(clusters);
    ProxyWasmHost.Builder hb =
        ProxyWasmHost.builder()
            .extension(extension)
            .scheduler(scheduler(vertx))
            .httpCalls(callouts::httpCall)
            .grpcCalls(callouts::grpcCall)
            .properties(nodeProperties(spec));
    offered.forEach(hb::offer);
    EnvoyForeign.register(hb);
    return hb.build();
  }

  /**
   * A host-wide {@link Scheduler} on Vert.x timers: a tick or timeout scheduled from an event loop
   * (a plugin's worker) fires on that same loop.
   */
  static Scheduler scheduler(Vertx vertx) {
    return (delay, task) -> {
      long id = vertx.setTimer(Math.max(1, delay.toMillis()), t -> task.run());
      return () -> vertx.cancelTimer(id);
    };
  }

  /** The properties {@code node.id} and {@code node.cluster}. */
  private static PropertyResolver nodeProperties(GatewaySpec spec) {
    return path -> {
      String key = String.join(".", path);
      return switch (key) {
        case "node.id" -> Optional.of(spec.nodeId().getBytes(StandardCharsets.UTF_8));
        case "node.cluster" -> Optional.of(spec.nodeCluster().getBytes(StandardCharsets.UTF_8));
        default -> Optional.empty();
      };
    };
  }
}

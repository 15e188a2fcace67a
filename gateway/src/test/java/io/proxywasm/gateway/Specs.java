package io.proxywasm.gateway;

import io.proxywasm.gateway.config.GatewaySpec;
import io.proxywasm.gateway.config.GatewaySpec.ClusterSpec;
import io.proxywasm.gateway.config.GatewaySpec.Endpoint;
import io.proxywasm.gateway.config.GatewaySpec.ListenerSpec;
import io.proxywasm.gateway.config.GatewaySpec.PluginSpec;
import io.proxywasm.gateway.config.GatewaySpec.RouteSpec;
import io.proxywasm.gateway.config.GatewaySpec.VirtualHostSpec;
import io.proxywasm.host.PluginConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Gateway configurations for tests: one listener on an ephemeral port, one route to one upstream.
 */
final class Specs {
  private Specs() {}

  static GatewaySpec oneRoute(PluginConfig plugin, int upstreamPort, Duration timeout) {
    ClusterSpec c =
        new ClusterSpec(
            "up",
            "STATIC",
            List.of(new Endpoint("127.0.0.1", upstreamPort)),
            Duration.ofSeconds(2),
            "ROUND_ROBIN",
            false);
    RouteSpec r = new RouteSpec("all", false, "/", "up", null, timeout, 0, "");
    ListenerSpec l =
        new ListenerSpec(
            "test",
            "127.0.0.1",
            0,
            "test",
            List.of(new VirtualHostSpec("all", List.of("*"), List.of(r))),
            plugin == null ? null : new PluginSpec(plugin, null, null),
            true,
            "envoy");
    return new GatewaySpec(List.of(l), Map.of("up", c), null, "", "");
  }
}

package io.proxywasm.gateway.config;

import static io.proxywasm.gateway.config.YamlNodes.duration;
import static io.proxywasm.gateway.config.YamlNodes.nz;

import io.proxywasm.gateway.config.DataSources.DataSource;
import io.proxywasm.gateway.config.GatewaySpec.ClusterSpec;
import io.proxywasm.gateway.config.GatewaySpec.RouteSpec;
import io.proxywasm.gateway.config.GatewaySpec.VirtualHostSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An HTTP connection manager's {@code route_config}: virtual hosts by domain, routes by path to a
 * cluster or to a direct response.
 */
final class RouteReader {
  /**
   * A route configuration.
   *
   * @param name the name
   * @param virtualHosts the virtual hosts
   */
  record RouteConfiguration(String name, List<VirtualHost> virtualHosts) {}

  /**
   * A virtual host.
   *
   * @param name the name
   * @param domains the domains
   * @param routes the routes
   */
  record VirtualHost(String name, List<String> domains, List<Route> routes) {}

  /**
   * A route.
   *
   * @param name the name
   * @param match the match
   * @param route the route action
   * @param directResponse the direct response
   */
  record Route(String name, RouteMatch match, RouteAction route, DirectResponse directResponse) {}

  /**
   * A route match.
   *
   * @param prefix a path prefix
   * @param path a whole path
   */
  record RouteMatch(String prefix, String path) {}

  /**
   * A route action.
   *
   * @param cluster the cluster
   * @param prefixRewrite the prefix rewrite
   * @param timeout the timeout
   */
  record RouteAction(String cluster, String prefixRewrite, String timeout) {}

  /**
   * A direct response.
   *
   * @param status the status
   * @param body the body
   */
  record DirectResponse(Integer status, DataSource body) {}

  private final DataSources files;
  private final Map<String, ClusterSpec> clusters;

  /**
   * Reads routes to the given clusters.
   *
   * @param files where direct response bodies are read from
   * @param clusters the clusters a route may name
   */
  RouteReader(DataSources files, Map<String, ClusterSpec> clusters) {
    this.files = files;
    this.clusters = clusters;
  }

  List<VirtualHostSpec> virtualHosts(RouteConfiguration rc, String path) throws ConfigException {
    List<VirtualHostSpec> out = new ArrayList<>();
    List<VirtualHost> vhs = rc.virtualHosts() == null ? List.of() : rc.virtualHosts();
    if (vhs.isEmpty()) {
      throw new ConfigException(path + ".virtual_hosts: at least one virtual host is required");
    }
    for (int i = 0; i < vhs.size(); i++) {
      VirtualHost vh = vhs.get(i);
      String vp = path + ".virtual_hosts[" + i + "]";
      if (vh.domains() == null || vh.domains().isEmpty()) {
        throw new ConfigException(vp + ".domains: at least one domain is required");
      }
      for (int d = 0; d < vh.domains().size(); d++) {
        String dom = vh.domains().get(d);
        if (dom == null
            || dom.isEmpty()
            || dom.indexOf('*') != dom.lastIndexOf('*')
            || (dom.contains("*")
                && !dom.equals("*")
                && !dom.startsWith("*")
                && !dom.endsWith("*"))) {
          throw new ConfigException(
              vp + ".domains[" + d + "]: " + dom + " is not a host name, *, *.suffix or prefix*");
        }
      }
      List<RouteSpec> routes = new ArrayList<>();
      List<Route> rs = vh.routes() == null ? List.of() : vh.routes();
      for (int r = 0; r < rs.size(); r++) {
        routes.add(route(rs.get(r), vp + ".routes[" + r + "]"));
      }
      out.add(new VirtualHostSpec(nz(vh.name()), vh.domains(), routes));
    }
    return out;
  }

  RouteSpec route(Route r, String path) throws ConfigException {
    if (r.match() == null) {
      throw new ConfigException(path + ".match: required");
    }
    RouteMatch m = r.match();
    if ((m.prefix() == null) == (m.path() == null)) {
      throw new ConfigException(path + ".match: exactly one of prefix and path is required");
    }
    boolean exact = m.path() != null;
    String match = exact ? m.path() : m.prefix();
    if ((r.route() == null) == (r.directResponse() == null)) {
      throw new ConfigException(path + ": exactly one of route and direct_response is required");
    }
    if (r.route() != null) {
      RouteAction a = r.route();
      if (a.cluster() == null) {
        throw new ConfigException(path + ".route.cluster: required");
      }
      ClusterReader.known(a.cluster(), clusters, path + ".route.cluster");
      if (a.prefixRewrite() != null && exact) {
        throw new ConfigException(path + ".route.prefix_rewrite: needs a prefix match");
      }
      Duration timeout =
          a.timeout() == null
              ? Duration.ofSeconds(15)
              : duration(a.timeout(), path + ".route.timeout");
      return new RouteSpec(
          nz(r.name()), exact, match, a.cluster(), a.prefixRewrite(), timeout, 0, "");
    }
    DirectResponse d = r.directResponse();
    if (d.status() == null || d.status() < 200 || d.status() > 599) {
      throw new ConfigException(
          path + ".direct_response.status: a status from 200 to 599 is required");
    }
    String body =
        d.body() == null
            ? ""
            : new String(
                files.data(d.body(), path + ".direct_response.body"), StandardCharsets.UTF_8);
    return new RouteSpec(nz(r.name()), exact, match, null, null, Duration.ZERO, d.status(), body);
  }
}

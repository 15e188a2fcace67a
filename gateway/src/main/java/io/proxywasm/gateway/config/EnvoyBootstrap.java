package io.proxywasm.gateway.config;

import static io.proxywasm.gateway.config.YamlNodes.nz;

import io.proxywasm.gateway.config.ClusterReader.Cluster;
import io.proxywasm.gateway.config.GatewaySpec.AdminSpec;
import io.proxywasm.gateway.config.GatewaySpec.ClusterSpec;
import io.proxywasm.gateway.config.GatewaySpec.Endpoint;
import io.proxywasm.gateway.config.GatewaySpec.ListenerSpec;
import io.proxywasm.gateway.config.GatewaySpec.PluginSpec;
import io.proxywasm.gateway.config.ListenerReader.Listener;
import io.proxywasm.gateway.config.SocketAddresses.Address;
import io.proxywasm.gateway.config.YamlNodes.Filter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the subset of Envoy's static bootstrap YAML the gateway runs, into Java records, and turns
 * it into a validated {@link GatewaySpec}. Every field is checked: an unknown field, an unsupported
 * filter or a wrong value is an error naming its place, for example {@code
 * static_resources.listeners[0].filter_chains[0].filters[0].typed_config.foo: unknown field}.
 *
 * <p>This class reads the top of the file (node, admin, static resources, bootstrap extensions);
 * the parts below it are read by {@link ClusterReader}, {@link ListenerReader} (with {@link
 * RouteReader} and {@link TlsReader}) and {@link WasmReader}, on {@link YamlNodes}.
 */
public final class EnvoyBootstrap {
  private EnvoyBootstrap() {}

  /**
   * The bootstrap.
   *
   * @param node the node
   * @param staticResources listeners and clusters
   * @param admin the admin listener
   * @param bootstrapExtensions the singleton service plugins (envoy.bootstrap.wasm)
   */
  record Bootstrap(
      Node node, StaticResources staticResources, Admin admin, List<Filter> bootstrapExtensions) {}

  /**
   * The node.
   *
   * @param id the id
   * @param cluster the cluster
   */
  record Node(String id, String cluster) {}

  /**
   * The admin listener.
   *
   * @param accessLogPath the access log
   * @param address the address
   */
  record Admin(String accessLogPath, Address address) {}

  /**
   * Static resources.
   *
   * @param listeners the listeners
   * @param clusters the clusters
   */
  record StaticResources(List<Listener> listeners, List<Cluster> clusters) {}

  /**
   * Reads and validates a bootstrap file.
   *
   * @param file the YAML file
   * @return the validated configuration
   * @throws ConfigException naming the place of the first problem
   */
  public static GatewaySpec load(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + file + ": " + e.getMessage(), e);
    }
    // relative file names are resolved against the working directory, as Envoy resolves them
    return parse(text, null);
  }

  /**
   * Reads and validates bootstrap YAML.
   *
   * @param yaml the YAML text
   * @param baseDir the directory relative file names are resolved against, or null for the working
   *     directory
   * @return the validated configuration
   * @throws ConfigException naming the place of the first problem
   */
  public static GatewaySpec parse(String yaml, Path baseDir) throws ConfigException {
    Bootstrap b = YamlNodes.convert(YamlNodes.tree(yaml), Bootstrap.class, "");
    return bootstrap(b, new DataSources(baseDir));
  }

  /** Turns the records into a {@link GatewaySpec}, checking every value. */
  private static GatewaySpec bootstrap(Bootstrap b, DataSources files) throws ConfigException {
    if (b.staticResources() == null) {
      throw new ConfigException("static_resources: required");
    }
    List<Cluster> cs =
        b.staticResources().clusters() == null ? List.of() : b.staticResources().clusters();
    Map<String, ClusterSpec> clusters =
        ClusterReader.clusters(cs, "static_resources.clusters", files);
    List<Listener> ls = b.staticResources().listeners();
    if (ls == null || ls.isEmpty()) {
      throw new ConfigException("static_resources.listeners: at least one listener is required");
    }
    WasmReader wasm = new WasmReader(files, clusters.keySet());
    ListenerReader reader = new ListenerReader(files, wasm, clusters);
    List<ListenerSpec> listeners = new ArrayList<>();
    for (int i = 0; i < ls.size(); i++) {
      listeners.add(reader.listener(ls.get(i), "static_resources.listeners[" + i + "]"));
    }
    AdminSpec admin = null;
    if (b.admin() != null) {
      Endpoint a = SocketAddresses.endpoint(b.admin().address(), "admin.address");
      admin = new AdminSpec(a.host(), a.port(), nz(b.admin().accessLogPath()));
    }
    List<PluginSpec> services = new ArrayList<>();
    List<Filter> ext = b.bootstrapExtensions() == null ? List.of() : b.bootstrapExtensions();
    for (int i = 0; i < ext.size(); i++) {
      services.add(wasm.service(ext.get(i), "bootstrap_extensions[" + i + "]"));
    }
    Node node = b.node();
    return new GatewaySpec(
        listeners,
        clusters,
        admin,
        node == null ? "" : nz(node.id()),
        node == null ? "" : nz(node.cluster()),
        services);
  }
}

package io.proxywasm.gateway;

import io.proxywasm.gateway.config.ConfigException;
import io.proxywasm.gateway.config.EnvoyBootstrap;
import io.proxywasm.gateway.config.GatewaySpec;
import io.proxywasm.gateway.config.GatewaySpec.AdminSpec;
import io.proxywasm.gateway.config.GatewaySpec.ClusterSpec;
import io.proxywasm.gateway.config.GatewaySpec.Endpoint;
import io.proxywasm.gateway.config.GatewaySpec.ListenerSpec;
import io.proxywasm.gateway.config.GatewaySpec.PluginSpec;
import io.proxywasm.gateway.config.GatewaySpec.RouteSpec;
import io.proxywasm.gateway.config.GatewaySpec.VirtualHostSpec;
import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.PluginConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code serve}: runs the gateway, configured by flags (one listener, one plugin, one upstream or
 * the built-in echo upstream) or by Envoy bootstrap YAML ({@code -c envoy.yaml}).
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Runs an HTTP proxy that passes every request through a proxy-wasm plugin.",
      "Configure it with flags, or with a subset of Envoy's static bootstrap (-c envoy.yaml)."
    })
public final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec commandSpec;

  @Option(
      names = {"-c", "--config-path"},
      paramLabel = "FILE",
      description = "Envoy bootstrap YAML (static_resources, admin); excludes the plugin flags")
  Path configPath;

  @Option(
      names = "--plugin",
      paramLabel = "FILE|java:NAME",
      description = "the plugin: a .wasm file, or java:NAME for a Java plugin")
  String plugin;

  @Option(
      names = "--plugin-config",
      paramLabel = "TEXT|@FILE",
      description = "the plugin configuration (proxy_on_configure), inline or @file")
  String pluginConfig;

  @Option(
      names = "--vm-config",
      paramLabel = "TEXT|@FILE",
      description = "the VM configuration (proxy_on_vm_start), inline or @file")
  String vmConfig;

  @Option(names = "--root-id", description = "the plugin's root_id", defaultValue = "")
  String rootId;

  @Option(names = "--vm-id", description = "the plugin's vm_id", defaultValue = "")
  String vmId;

  @Option(
      names = "--runtime",
      description =
          "the runtime (asm, chicory-compiler, chicory, null); default: the best available"
              + " (asm, or chicory-compiler for a module asm does not support)",
      defaultValue = "")
  String runtime;

  @Option(names = "--fail-open", description = "let requests through when the plugin fails")
  boolean failOpen;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:10000",
      description = "where the proxy listens (default: ${DEFAULT-VALUE})")
  String listen;

  @Option(
      names = "--upstream",
      paramLabel = "http://HOST:PORT",
      description = "where requests go; without it a built-in echo upstream answers")
  String upstream;

  @Option(
      names = "--admin",
      paramLabel = "HOST:PORT",
      description = "the admin listener (/ready, /stats, /plugins, /reload); none by default")
  String adminAddress;

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      description = "event loops (workers); default: the number of processors")
  Integer concurrency;

  @Option(
      names = "--drain-time-s",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description =
          "how long requests in flight may finish at shutdown (default: ${DEFAULT-VALUE})")
  int drainSeconds;

  @Option(names = "--watch", description = "reload the plugins when their files change")
  boolean watch;

  @Option(
      names = "--no-native-transport",
      description = "use Java NIO even where Linux's epoll transport loads")
  boolean noNativeTransport;

  /** Creates the command; picocli fills in the options. */
  public ServeCommand() {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = commandSpec.commandLine().getOut();
    PrintWriter err = commandSpec.commandLine().getErr();
    Gateway gateway;
    try {
      gateway = start();
    } catch (ConfigException e) {
      err.println("proxy-wasm serve: " + e.getMessage());
      err.flush();
      return 2;
    }
    describe(gateway, out);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              gateway.shutdown(Duration.ofSeconds(drainSeconds));
              stopped.countDown();
            },
            "proxy-wasm-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stopped.await();
    return 0;
  }

  /**
   * Validates the configuration, loads the plugins and starts the gateway, without waiting.
   *
   * @return the running gateway
   * @throws ConfigException if the configuration is invalid or a plugin does not load
   */
  public Gateway start() throws ConfigException {
    Gateway.Builder b;
    if (configPath != null) {
      if (plugin != null || upstream != null || pluginConfig != null || vmConfig != null) {
        throw new ConfigException(
            "--config-path and --plugin, --plugin-config, --vm-config, --upstream exclude each other");
      }
      Path yaml = configPath;
      GatewaySpec spec = EnvoyBootstrap.load(yaml);
      b = Gateway.builder(spec).reloadFrom(() -> EnvoyBootstrap.load(yaml));
    } else {
      GatewaySpec spec = flagsSpec();
      b = Gateway.builder(spec).reloadFrom(this::flagsSpec);
      if (upstream == null) {
        b.echoUpstream("echo");
      }
    }
    if (concurrency != null) {
      b.concurrency(concurrency);
    }
    return b.watch(watch).nativeTransport(!noNativeTransport).start();
  }

  private void describe(Gateway g, PrintWriter out) {
    GatewaySpec s = g.spec();
    for (int i = 0; i < s.listeners().size(); i++) {
      ListenerSpec l = s.listeners().get(i);
      String scheme = l.isTcp() ? "tcp" : l.tls() != null ? "https" : "http";
      String url = scheme + "://" + hostForUrl(l.host()) + ":" + g.port(i);
      out.println(
          "proxy-wasm gateway: listener "
              + l.name()
              + " on "
              + url
              + (l.plugins().isEmpty()
                  ? " (no plugin)"
                  : " with plugin"
                      + (l.plugins().size() > 1 ? "s " : " ")
                      + String.join(
                          ", ", l.plugins().stream().map(p -> p.config().name()).toList()))
              + (l.isTcp() ? " to cluster " + l.tcpCluster() : "")
              + ", "
              + g.concurrency()
              + " workers ("
              + g.transport()
              + ")");
      if (i == 0 && !l.isTcp()) {
        g.echoPort()
            .ifPresent(p -> out.println("upstream: built-in echo on http://127.0.0.1:" + p));
        out.println("try: curl -i " + url + "/");
      }
    }
    g.adminPort()
        .ifPresent(
            p -> out.println("admin: http://" + hostForUrl(s.admin().host()) + ":" + p + "/"));
    out.flush();
  }

  private static String hostForUrl(String host) {
    if (host.equals("0.0.0.0")) {
      return "127.0.0.1";
    }
    return host.contains(":") ? "[" + host + "]" : host;
  }

  /** The configuration the flags describe: one listener, one route to one cluster. */
  GatewaySpec flagsSpec() throws ConfigException {
    if (plugin == null) {
      throw new ConfigException(
          "give a plugin (--plugin FILE|java:NAME) or a configuration (-c envoy.yaml)");
    }
    Endpoint at = hostPort(listen, "--listen");
    PluginConfig.Builder pb;
    Path codeFile = null;
    if (plugin.startsWith("java:")) {
      pb = PluginConfig.builder(plugin.substring(5)).javaPlugin(plugin.substring(5));
    } else {
      codeFile = Path.of(plugin).toAbsolutePath();
      String name = codeFile.getFileName().toString().replaceFirst("\\.wasm$", "");
      byte[] code;
      try {
        code = Files.readAllBytes(codeFile);
      } catch (IOException e) {
        throw new ConfigException("--plugin: cannot read " + codeFile + ": " + e.getMessage(), e);
      }
      pb = PluginConfig.builder(name).code(code);
    }
    Path configFile = null;
    if (pluginConfig != null) {
      if (pluginConfig.startsWith("@")) {
        configFile = Path.of(pluginConfig.substring(1)).toAbsolutePath();
      }
      pb.pluginConfiguration(textOrFile(pluginConfig, "--plugin-config"));
    }
    if (vmConfig != null) {
      pb.vmConfiguration(textOrFile(vmConfig, "--vm-config"));
    }
    pb.rootId(rootId).vmId(vmId).runtime(runtime);
    pb.failPolicy(failOpen ? FailPolicy.FAIL_OPEN : FailPolicy.FAIL_CLOSED);
    PluginSpec ps = new PluginSpec(pb.build(), codeFile, configFile);

    ClusterSpec cluster;
    if (upstream == null) {
      cluster =
          new ClusterSpec(
              "echo",
              "STATIC",
              List.of(new Endpoint("127.0.0.1", 1)),
              Duration.ofSeconds(5),
              "ROUND_ROBIN",
              false);
    } else {
      URI u;
      try {
        u = new URI(upstream);
      } catch (URISyntaxException e) {
        throw new ConfigException(
            "--upstream: " + upstream + " is not a URL such as http://127.0.0.1:8080", e);
      }
      if (!"http".equals(u.getScheme()) || u.getHost() == null) {
        throw new ConfigException(
            "--upstream: " + upstream + " is not an http://HOST:PORT URL (https is not supported)");
      }
      int port = u.getPort() < 0 ? 80 : u.getPort();
      boolean ip = u.getHost().matches("[0-9.]+") || u.getHost().startsWith("[");
      String host =
          u.getHost().startsWith("[")
              ? u.getHost().substring(1, u.getHost().length() - 1)
              : u.getHost();
      cluster =
          new ClusterSpec(
              "upstream",
              ip ? "STATIC" : "STRICT_DNS",
              List.of(new Endpoint(host, port)),
              Duration.ofSeconds(5),
              "ROUND_ROBIN",
              false);
    }
    RouteSpec route =
        new RouteSpec("default", false, "/", cluster.name(), null, Duration.ofSeconds(15), 0, "");
    ListenerSpec l =
        new ListenerSpec(
            "main",
            at.host(),
            at.port(),
            "ingress_http",
            List.of(new VirtualHostSpec("all", List.of("*"), List.of(route))),
            ps,
            true,
            "envoy");
    AdminSpec admin = null;
    if (adminAddress != null) {
      Endpoint a = hostPort(adminAddress, "--admin");
      admin = new AdminSpec(a.host(), a.port(), "");
    }
    return new GatewaySpec(List.of(l), Map.of(cluster.name(), cluster), admin, "", "");
  }

  private static byte[] textOrFile(String value, String flag) throws ConfigException {
    if (!value.startsWith("@")) {
      return value.getBytes(StandardCharsets.UTF_8);
    }
    Path f = Path.of(value.substring(1));
    try {
      return Files.readAllBytes(f);
    } catch (IOException e) {
      throw new ConfigException(flag + ": cannot read " + f + ": " + e.getMessage(), e);
    }
  }

  private static Endpoint hostPort(String value, String flag) throws ConfigException {
    int colon = value.lastIndexOf(':');
    if (colon <= 0) {
      throw new ConfigException(flag + ": " + value + " is not HOST:PORT");
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ConfigException(flag + ": " + value.substring(colon + 1) + " is not a port", e);
    }
    if (port < 0 || port > 65535) {
      throw new ConfigException(flag + ": " + port + " is not a port (0 to 65535)");
    }
    return new Endpoint(host, port);
  }
}

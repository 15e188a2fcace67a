package io.proxywasm.gateway;

import io.proxywasm.envoy.EnvoyWasmExtension;
import io.proxywasm.gateway.config.ConfigException;
import io.proxywasm.gateway.config.GatewaySpec;
import io.proxywasm.gateway.config.GatewaySpec.ClusterSpec;
import io.proxywasm.gateway.config.GatewaySpec.Endpoint;
import io.proxywasm.gateway.config.GatewaySpec.PluginSpec;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.ServicePlugin;
import io.proxywasm.host.Worker;
import io.proxywasm.remote.RemoteCodeException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: Vert.x event loops, each one Envoy worker with its own host {@link Worker},
 * serving the listeners of a {@link GatewaySpec}, forwarding to its clusters, with an admin
 * listener, plugin reload and graceful shutdown. Start one with {@link #builder(GatewaySpec)}.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  /** Reads the configuration again, for a reload. */
  @FunctionalInterface
  public interface SpecSource {
    /**
     * Reads the configuration.
     *
     * @return the configuration
     * @throws ConfigException if it is invalid
     */
    GatewaySpec load() throws ConfigException;
  }

  final Vertx vertx;

  /** The Netty channels of the HTTP connections, for what Vert.x's API does not reach. */
  final ChannelTransport channels;

  final ProxyWasmHost host;
  private final boolean ownsHost;
  final Stats stats;

  /** The downloads of remote plugin code. */
  final RemoteCodes remoteCodes;

  final List<ListenerRuntime> listeners = new ArrayList<>();
  private final Map<String, ClusterRuntime> clusters = new HashMap<>();
  final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  final List<NetServer> tcpServers = new CopyOnWriteArrayList<>();
  final List<ServicePlugin> services = new CopyOnWriteArrayList<>();
  final AtomicInteger activeExchanges = new AtomicInteger();
  private final AccessLogWriter accessLogWriter = new AccessLogWriter();
  private final AtomicLong connectionIds = new AtomicLong();
  private final PluginGenerations plugins;
  private final int concurrency;
  private GatewaySpec spec;
  private AdminServer admin;
  private EchoUpstream echo;
  private volatile boolean closed;

  private Gateway(Builder b, Vertx vertx, ChannelTransport channels, EnvoyWasmExtension extension) {
    this.vertx = vertx;
    this.channels = channels;
    this.spec = b.spec;
    this.plugins = new PluginGenerations(this, b.reloadSource);
    this.concurrency = b.concurrency;
    if (b.host != null) {
      this.host = b.host;
      this.ownsHost = false;
    } else {
      this.host = GatewayHost.build(vertx, b.spec, extension, clusters::get, b.offered);
      this.ownsHost = true;
    }
    this.stats = new Stats(extension.registry());
    this.remoteCodes = new RemoteCodes(extension);
  }

  /**
   * Starts configuring a gateway.
   *
   * @param spec what to run
   * @return the builder
   */
  public static Builder builder(GatewaySpec spec) {
    return new Builder(spec);
  }

  // ------------------------------------------------------------------ start

  private void start(Builder b) throws ConfigException {
    GatewaySpec s = b.spec;
    if (b.echoCluster != null) {
      echo = await(EchoUpstream.start(vertx), "the echo upstream");
      Map<String, ClusterSpec> cs = new LinkedHashMap<>(s.clusters());
      ClusterSpec c = cs.get(b.echoCluster);
      if (c == null) {
        throw new ConfigException("no cluster named " + b.echoCluster + " for the echo upstream");
      }
      cs.put(
          c.name(),
          new ClusterSpec(
              c.name(),
              c.type(),
              List.of(new Endpoint("127.0.0.1", echo.port())),
              c.connectTimeout(),
              c.lbPolicy(),
              false));
      s = new GatewaySpec(s.listeners(), cs, s.admin(), s.nodeId(), s.nodeCluster());
      spec = s;
    }
    for (ClusterSpec c : s.clusters().values()) {
      clusters.put(c.name(), new ClusterRuntime(vertx, c, stats));
    }
    // singleton services first: the filters may look up their queues when they start
    for (PluginSpec ps : s.services()) {
      try {
        services.add(host.startService(remoteCodes.resolve(ps)));
      } catch (PluginLoadException | RemoteCodeException e) {
        throw new ConfigException(
            "service " + ps.config().name() + " did not start: " + e.getMessage(), e);
      }
    }
    for (int i = 0; i < s.listeners().size(); i++) {
      ListenerRuntime lr = new ListenerRuntime(s.listeners().get(i), i, stats);
      lr.accessLogs = AccessLogs.of(accessLogWriter, lr.spec.accessLogs());
      listeners.add(lr);
    }
    // every plugin loads and passes its canary before anything listens
    plugins.start(b.plugin);
    // Vert.x shares a listening socket among event loops that bind the same port: an ephemeral
    // port is picked once, here, so that every loop binds the same one
    for (ListenerRuntime lr : listeners) {
      lr.bindPort = lr.spec.port() != 0 ? lr.spec.port() : freePort(lr.spec.host());
    }
    await(
        vertx.deployVerticle(() -> new LoopVerticle(this), new DeploymentOptions()),
        "the listeners");
    if (concurrency > 1) {
      await(
          vertx.deployVerticle(
              () -> new LoopVerticle(this), new DeploymentOptions().setInstances(concurrency - 1)),
          "the listeners");
    }
    if (s.admin() != null) {
      admin = new AdminServer(this);
      await(admin.start(s.admin()), "the admin listener");
    }
    if (b.watch) {
      plugins.watch(s);
    }
  }

  private static int freePort(String host) throws ConfigException {
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new ConfigException("cannot bind " + host + ": " + e.getMessage(), e);
    }
  }

  static <T> T await(Future<T> f, String what) throws ConfigException {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      throw new ConfigException("cannot start " + what + ": " + words(c), c);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new ConfigException("cannot start " + what + ": no answer within 60 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted while starting " + what, e);
    }
  }

  static String words(Throwable t) {
    if (t instanceof java.net.BindException) {
      return "the address is in use or cannot be bound (" + t.getMessage() + ")";
    }
    String m = t.getMessage();
    return m == null || m.isEmpty() ? "failed" : m;
  }

  ClusterRuntime cluster(String name) {
    return clusters.get(name);
  }

  long nextConnectionId() {
    return connectionIds.incrementAndGet();
  }

  GatewaySpec spec() {
    return spec;
  }

  int generation() {
    return plugins.generation();
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * Reloads every plugin: reads the configuration again, loads each plugin and runs its canary off
   * the event loops; if all load, new requests use them, requests in flight finish on the old ones,
   * which close after. If one fails, every listener keeps its plugin.
   *
   * @return what was reloaded
   * @throws ConfigException if the configuration or a plugin failed; nothing changed
   */
  public String reload() throws ConfigException {
    return plugins.reload();
  }

  // ------------------------------------------------------------------ reporting

  /**
   * Returns the port a listener is bound to.
   *
   * @param index the listener's index in the configuration
   * @return the port
   */
  public int port(int index) {
    return listeners.get(index).port;
  }

  /**
   * Returns the admin listener's port.
   *
   * @return the port, or empty without an admin listener
   */
  public Optional<Integer> adminPort() {
    return admin == null ? Optional.empty() : Optional.of(admin.port());
  }

  /**
   * Returns the echo upstream's port, in flags mode without an upstream.
   *
   * @return the port, or empty
   */
  public Optional<Integer> echoPort() {
    return echo == null ? Optional.empty() : Optional.of(echo.port());
  }

  /**
   * Returns the number of event loops (workers).
   *
   * @return the number
   */
  public int concurrency() {
    return concurrency;
  }

  /**
   * Names the network transport of the event loops: {@code "epoll"} (Linux's native transport) or
   * {@code "nio"} (Java NIO).
   *
   * @return the transport's name
   */
  public String transport() {
    return channels.name();
  }

  /**
   * Returns the host the plugins run in.
   *
   * @return the host
   */
  public ProxyWasmHost host() {
    return host;
  }

  /**
   * Returns the requests in flight.
   *
   * @return the number
   */
  public int activeRequests() {
    return activeExchanges.get();
  }

  List<ListenerRuntime> listenerRuntimes() {
    return listeners;
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Stops gracefully: stops accepting connections, lets requests in flight finish for up to the
   * drain time, then closes the connections, the workers, the plugins and the host.
   *
   * @param drain how long requests in flight may take
   */
  public void shutdown(Duration drain) {
    if (closed) {
      return;
    }
    closed = true;
    plugins.stopWatching();
    // stop accepting; connections close as their requests end (HTTP/1.1 gets connection: close,
    // HTTP/2 a GOAWAY)
    for (HttpServer s : servers) {
      s.shutdown(drain.toMillis(), TimeUnit.MILLISECONDS);
    }
    for (NetServer s : tcpServers) {
      s.shutdown(drain.toMillis(), TimeUnit.MILLISECONDS);
    }
    long deadline = System.nanoTime() + drain.toNanos();
    while (activeExchanges.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (admin != null) {
      admin.close();
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", words(e));
    }
    for (ListenerRuntime lr : listeners) {
      LivePlugin p = lr.plugin.getAndSet(null);
      if (p != null) {
        p.retire();
      }
    }
    // every exchange ended: their lines are queued
    accessLogWriter.close();
    for (ServicePlugin sp : services) {
      sp.close();
    }
    services.clear();
    if (ownsHost) {
      host.close();
    }
  }

  /** Shuts down with a drain time of 10 seconds. */
  @Override
  public void close() {
    shutdown(Duration.ofSeconds(10));
  }

  /** Configures and starts a {@link Gateway}. */
  public static final class Builder {
    private final GatewaySpec spec;
    private int concurrency = Math.max(1, Runtime.getRuntime().availableProcessors());
    private ProxyWasmHost host;
    private Plugin plugin;
    private SpecSource reloadSource;
    private String echoCluster;
    private boolean watch;
    private boolean nativeTransport = true;
    private String hosts;
    private final Map<String, Object> offered = new LinkedHashMap<>();

    private Builder(GatewaySpec spec) {
      this.spec = Objects.requireNonNull(spec, "spec");
    }

    /**
     * Sets the number of event loops, as Envoy's {@code --concurrency}.
     *
     * @param concurrency at least 1
     * @return this builder
     */
    public Builder concurrency(int concurrency) {
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
      }
      this.concurrency = concurrency;
      return this;
    }

    /**
     * Whether the event loops use the operating system's native transport (Linux epoll) when it
     * loads; on by default. Off, or where it does not load, they use Java NIO.
     *
     * @param nativeTransport whether to prefer the native transport
     * @return this builder
     */
    public Builder nativeTransport(boolean nativeTransport) {
      this.nativeTransport = nativeTransport;
      return this;
    }

    /**
     * Runs the first listener with a plugin loaded elsewhere, in a host built elsewhere (for tests
     * of the adapter); the caller closes both.
     *
     * @param host the host
     * @param plugin the plugin, loaded by that host
     * @return this builder
     */
    public Builder external(ProxyWasmHost host, Plugin plugin) {
      this.host = host;
      this.plugin = plugin;
      return this;
    }

    /**
     * Sets where a reload reads the configuration from.
     *
     * @param source the source
     * @return this builder
     */
    public Builder reloadFrom(SpecSource source) {
      this.reloadSource = source;
      return this;
    }

    /**
     * Starts the built-in echo upstream and points the named cluster at it.
     *
     * @param cluster the cluster name
     * @return this builder
     */
    public Builder echoUpstream(String cluster) {
      this.echoCluster = cluster;
      return this;
    }

    /**
     * Offers a Java plugin object to the gateway's host under a name, for plugins configured with
     * the null runtime and that name ({@link ProxyWasmHost.Builder#offer}).
     *
     * @param name the name
     * @param plugin the plugin object
     * @return this builder
     */
    public Builder offer(String name, Object plugin) {
      offered.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(plugin, "plugin"));
      return this;
    }

    /**
     * Gives the gateway's resolver its own hosts file, in place of the system's: the names of DNS
     * clusters' endpoints it answers before asking DNS (for tests, which cannot change the
     * system's).
     *
     * @param hostsFile lines such as {@code 127.0.0.1 localhost backend.example}
     * @return this builder
     */
    Builder hosts(String hostsFile) {
      this.hosts = hostsFile;
      return this;
    }

    /**
     * Reloads when a plugin's code or configuration file changes (checked every second).
     *
     * @param watch whether to watch
     * @return this builder
     */
    public Builder watch(boolean watch) {
      this.watch = watch;
      return this;
    }

    /**
     * Loads the plugins, then binds the listeners.
     *
     * @return the running gateway
     * @throws ConfigException if a plugin does not load or a listener cannot bind; nothing keeps
     *     running then
     */
    public Gateway start() throws ConfigException {
      // Vert.x's native transport (epoll) when preferred and it loads, else NIO; either keeps the
      // channels of the HTTP connections for request trailers
      ChannelTransport channels = new ChannelTransport(nativeTransport);
      VertxOptions options = new VertxOptions().setEventLoopPoolSize(concurrency);
      if (hosts != null) {
        options.setAddressResolverOptions(
            new AddressResolverOptions().setHostsValue(Buffer.buffer(hosts)));
      }
      Vertx vertx = Vertx.builder().with(options).withTransport(channels.api()).build();
      EnvoyWasmExtension extension;
      if (host != null && host.extension() instanceof EnvoyWasmExtension e) {
        extension = e;
      } else {
        extension = EnvoyWasmExtension.withDiscoveredSinks();
      }
      Gateway g = new Gateway(this, vertx, channels, extension);
      try {
        g.start(this);
        return g;
      } catch (ConfigException | RuntimeException e) {
        g.shutdown(Duration.ZERO);
        throw e;
      }
    }
  }
}

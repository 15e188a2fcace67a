package io.proxywasm.gateway;

import io.proxywasm.envoy.EnvoyWasmExtension;
import io.proxywasm.gateway.config.ConfigException;
import io.proxywasm.gateway.config.GatewaySpec;
import io.proxywasm.gateway.config.GatewaySpec.ClusterSpec;
import io.proxywasm.gateway.config.GatewaySpec.Endpoint;
import io.proxywasm.gateway.config.GatewaySpec.ListenerSpec;
import io.proxywasm.gateway.config.GatewaySpec.PluginSpec;
import io.proxywasm.gateway.config.GatewaySpec.TlsSpec;
import io.proxywasm.host.GrpcCallHandler;
import io.proxywasm.host.GrpcCallRequest;
import io.proxywasm.host.HttpCallRequest;
import io.proxywasm.host.HttpCallResponse;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Scheduler;
import io.proxywasm.host.ServicePlugin;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.WasmResult;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.AbstractMap;
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
  final ProxyWasmHost host;
  private final boolean ownsHost;
  final Stats stats;
  final List<ListenerRuntime> listeners = new ArrayList<>();
  private final Map<String, ClusterRuntime> clusters = new HashMap<>();
  private final List<Loop> loops = new CopyOnWriteArrayList<>();
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final List<NetServer> tcpServers = new CopyOnWriteArrayList<>();
  final List<ServicePlugin> services = new CopyOnWriteArrayList<>();
  final AtomicInteger activeExchanges = new AtomicInteger();
  private final AtomicLong connectionIds = new AtomicLong();
  private final SpecSource reloadSource;
  private final int concurrency;
  private GatewaySpec spec;
  private AdminServer admin;
  private EchoUpstream echo;
  private int generation;
  private long watchTimer = -1;
  private Map<Path, FileTime> watched = Map.of();
  private volatile boolean closed;
  private final Object reloadLock = new Object();

  private Gateway(Builder b, Vertx vertx, EnvoyWasmExtension extension) {
    this.vertx = vertx;
    this.spec = b.spec;
    this.reloadSource = b.reloadSource;
    this.concurrency = b.concurrency;
    if (b.host != null) {
      this.host = b.host;
      this.ownsHost = false;
    } else {
      ProxyWasmHost.Builder hb =
          ProxyWasmHost.builder()
              .extension(extension)
              .scheduler(scheduler(vertx))
              .httpCalls(this::dispatchCallout)
              .grpcCalls(this::openGrpc)
              .properties(nodeProperties(b.spec));
      b.offered.forEach(hb::offer);
      this.host = hb.build();
      this.ownsHost = true;
    }
    this.stats = new Stats(extension.registry());
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
        services.add(host.startService(ps.config()));
      } catch (PluginLoadException e) {
        throw new ConfigException(
            "service " + ps.config().name() + " did not start: " + e.getMessage(), e);
      }
    }
    // every plugin loads and passes its canary before anything listens
    generation = 1;
    for (int i = 0; i < s.listeners().size(); i++) {
      ListenerSpec l = s.listeners().get(i);
      ListenerRuntime lr = new ListenerRuntime(l, i, stats);
      listeners.add(lr);
      if (i == 0 && b.plugin != null) {
        lr.plugin.set(new LivePlugin(List.of(b.plugin), generation, false));
      } else if (!l.plugins().isEmpty()) {
        lr.plugin.set(new LivePlugin(loadAll(l, i), generation, true));
      }
    }
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
      watched = watchedFiles(s);
      watchTimer = vertx.setPeriodic(1000, t -> checkWatched());
    }
  }

  /** Loads a listener's filters in order; if one fails, those already loaded are closed. */
  private List<Plugin> loadAll(ListenerSpec l, int index) throws ConfigException {
    List<Plugin> loaded = new ArrayList<>();
    try {
      for (PluginSpec p : l.plugins()) {
        loaded.add(load(p.config(), index));
      }
    } catch (ConfigException | RuntimeException e) {
      loaded.forEach(Plugin::close);
      throw e;
    }
    return loaded;
  }

  private Plugin load(PluginConfig config, int listener) throws ConfigException {
    try {
      return host.load(config);
    } catch (PluginLoadException e) {
      throw new ConfigException(
          "listener "
              + spec.listeners().get(listener).name()
              + ": plugin "
              + config.name()
              + " did not load: "
              + e.getMessage(),
          e);
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

  /** The verticle of one event loop: its host worker and its share of every listener. */
  private static final class LoopVerticle extends VerticleBase {
    private final Gateway gateway;
    private Loop loop;

    LoopVerticle(Gateway gateway) {
      this.gateway = gateway;
    }

    @Override
    public Future<?> start() {
      // the worker's ticks, queue items and callout answers run on this event loop, as Envoy
      // runs a plugin's timers on its worker's dispatcher
      Worker worker = gateway.host.newWorker(task -> context.runOnContext(v -> task.run()));
      loop = new Loop(gateway, vertx, context, worker);
      gateway.loops.add(loop);
      List<Future<?>> started = new ArrayList<>();
      for (ListenerRuntime lr : gateway.listeners) {
        if (lr.spec.isTcp()) {
          started.add(listenTcp(lr));
          continue;
        }
        HttpServerOptions options =
            new HttpServerOptions()
                .setHttp2ClearTextEnabled(true)
                .setCompressionSupported(false)
                .setDecompressionSupported(false)
                .setHandle100ContinueAutomatically(true)
                .setIdleTimeout(300)
                .setIdleTimeoutUnit(TimeUnit.SECONDS);
        TlsSpec tls = lr.spec.tls();
        if (tls != null) {
          options
              .setSsl(true)
              .setKeyCertOptions(
                  new PemKeyCertOptions()
                      .setCertPath(tls.certificateChain().toString())
                      .setKeyPath(tls.privateKey().toString()));
          if (!tls.alpnProtocols().isEmpty()) {
            List<HttpVersion> versions = new ArrayList<>();
            for (String p : tls.alpnProtocols()) {
              versions.add(p.equals("h2") ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1);
            }
            options.setUseAlpn(true).setAlpnVersions(versions);
          }
        }
        HttpServer server = vertx.createHttpServer(options);
        server.connectionHandler(c -> lr.cxTotal.add(1));
        server.requestHandler(
            req -> {
              if (gateway.closed) {
                req.response().setStatusCode(503).putHeader("connection", "close").end();
                return;
              }
              loop.exchangeStarted();
              new Exchange(loop, lr, req).start();
            });
        started.add(
            server
                .listen(lr.bindPort, lr.spec.host())
                .compose(
                    srv -> {
                      gateway.servers.add(srv);
                      if (lr.port != 0 && lr.port != srv.actualPort()) {
                        return Future.failedFuture(
                            "event loops bound different ports: "
                                + lr.port
                                + " and "
                                + srv.actualPort());
                      }
                      lr.port = srv.actualPort();
                      return Future.succeededFuture(srv);
                    }));
      }
      return Future.all(started);
    }

    private Future<NetServer> listenTcp(ListenerRuntime lr) {
      NetServer server = vertx.createNetServer(new NetServerOptions());
      server.connectHandler(
          socket -> {
            if (gateway.closed) {
              socket.close();
              return;
            }
            new TcpSession(loop, lr, socket).start();
          });
      return server
          .listen(lr.bindPort, lr.spec.host())
          .compose(
              srv -> {
                gateway.tcpServers.add(srv);
                if (lr.port != 0 && lr.port != srv.actualPort()) {
                  return Future.failedFuture(
                      "event loops bound different ports: " + lr.port + " and " + srv.actualPort());
                }
                lr.port = srv.actualPort();
                return Future.succeededFuture(srv);
              });
    }

    @Override
    public Future<?> stop() {
      loop.worker.close();
      return Future.succeededFuture();
    }
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
    return generation;
  }

  // ------------------------------------------------------------------ callouts

  private WasmResult dispatchCallout(
      HttpCallRequest request, io.proxywasm.host.HttpCallHandler.Callback callback) {
    ClusterRuntime c = clusters.get(request.upstream());
    if (c == null) {
      return WasmResult.BAD_ARGUMENT;
    }
    String method = request.header(":method");
    String path = request.header(":path");
    if (method == null || path == null) {
      return WasmResult.BAD_ARGUMENT;
    }
    Endpoint ep = c.endpoint(c.pick());
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (Header e : request.headers()) {
      if (!e.name().startsWith(":") && !Exchange.HOP_BY_HOP.contains(e.name().toLowerCase())) {
        headers.add(e.name(), e.value());
      }
    }
    String authority = request.header(":authority");
    if (authority != null) {
      headers.set("host", authority);
    }
    RequestOptions o;
    try {
      o =
          new RequestOptions()
              .setMethod(HttpMethod.valueOf(method))
              .setHost(ep.host())
              .setPort(ep.port())
              .setURI(path)
              .setHeaders(headers);
      if (!request.timeout().isZero()) {
        // the host answers the plugin at its timeout; the request is dropped then too
        o.setIdleTimeout(Math.max(1, request.timeout().toMillis()));
      }
    } catch (IllegalArgumentException e) {
      return WasmResult.BAD_ARGUMENT;
    }
    c.rqTotal.add(1);
    byte[] body = request.body();
    c.client
        .request(o)
        .compose(
            r -> {
              if (r.version() == HttpVersion.HTTP_2) {
                Exchange.authority(r, authority == null ? "" : authority);
              }
              return r.send(io.vertx.core.buffer.Buffer.buffer(body));
            })
        .compose(r -> r.body().map(b -> new AbstractMap.SimpleEntry<>(r, b)))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                callback.onFailure(words(ar.cause()));
                return;
              }
              var r = ar.result().getKey();
              List<Header> h = new ArrayList<>();
              h.add(Header.of(":status", Integer.toString(r.statusCode())));
              r.headers().forEach(e -> h.add(Header.of(e.getKey().toLowerCase(), e.getValue())));
              List<Header> t = new ArrayList<>();
              r.trailers().forEach(e -> t.add(Header.of(e.getKey().toLowerCase(), e.getValue())));
              callback.onResponse(new HttpCallResponse(h, ar.result().getValue().getBytes(), t));
            });
    return WasmResult.OK;
  }

  /**
   * A plugin's unary gRPC call ({@code proxy_grpc_call}) to a configured HTTP/2 cluster: a POST of
   * {@code /service/method} with the message in gRPC framing over the cluster's client; the
   * response's messages, metadata and status go back to the plugin. The host ends the call at its
   * timeout with DEADLINE_EXCEEDED. gRPC streams are refused.
   */
  private GrpcCallHandler.Outbound openGrpc(
      GrpcCallRequest request, GrpcCallHandler.Callbacks callbacks)
      throws GrpcCallHandler.Rejected {
    String name = new String(request.service(), StandardCharsets.UTF_8);
    ClusterRuntime c = clusters.get(name);
    if (c == null) {
      throw new GrpcCallHandler.Rejected(
          WasmResult.PARSE_FAILURE, "no cluster named " + name + " for a gRPC call");
    }
    if (request.streaming()) {
      throw new GrpcCallHandler.Rejected(
          WasmResult.UNIMPLEMENTED, "the gateway makes unary gRPC calls only, no gRPC streams");
    }
    if (!c.spec.http2()) {
      throw new GrpcCallHandler.Rejected(
          WasmResult.BAD_ARGUMENT,
          "cluster " + name + " is not HTTP/2 (http2_protocol_options), as gRPC needs");
    }
    Endpoint ep = c.endpoint(c.pick());
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    headers.set("content-type", "application/grpc");
    headers.set("te", "trailers");
    if (!request.timeout().isZero()) {
      headers.set("grpc-timeout", Math.max(1, request.timeout().toMillis()) + "m");
    }
    for (Header e : request.initialMetadata()) {
      if (!e.name().startsWith(":")) {
        headers.add(e.name(), e.value());
      }
    }
    byte[] message = request.message();
    Buffer frame =
        Buffer.buffer(5 + message.length)
            .appendByte((byte) 0)
            .appendInt(message.length)
            .appendBytes(message);
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(ep.host())
            .setPort(ep.port())
            .setURI("/" + request.serviceName() + "/" + request.method())
            .setHeaders(headers);
    if (!request.timeout().isZero()) {
      o.setIdleTimeout(Math.max(1, request.timeout().toMillis()));
    }
    c.rqTotal.add(1);
    java.util.concurrent.atomic.AtomicReference<io.vertx.core.http.HttpClientRequest> sent =
        new java.util.concurrent.atomic.AtomicReference<>();
    c.client
        .request(o)
        .compose(
            r -> {
              sent.set(r);
              Exchange.authority(r, name);
              return r.send(frame);
            })
        .compose(
            r -> {
              List<Header> meta = new ArrayList<>();
              r.headers().forEach(e -> meta.add(Header.of(e.getKey().toLowerCase(), e.getValue())));
              callbacks.onInitialMetadata(meta);
              return r.body().map(b -> new AbstractMap.SimpleEntry<>(r, b));
            })
        .onComplete(
            ar -> {
              if (ar.failed()) {
                callbacks.onClose(14, words(ar.cause())); // UNAVAILABLE
                return;
              }
              var r = ar.result().getKey();
              Buffer body = ar.result().getValue();
              int pos = 0;
              while (pos + 5 <= body.length()) {
                int len = body.getInt(pos + 1);
                if (len < 0 || pos + 5 + len > body.length()) {
                  callbacks.onClose(13, "a truncated gRPC message"); // INTERNAL
                  return;
                }
                callbacks.onMessage(body.getBytes(pos + 5, pos + 5 + len));
                pos += 5 + len;
              }
              // a trailers-only answer carries its status in the headers
              MultiMap t =
                  r.trailers() != null && r.trailers().contains("grpc-status")
                      ? r.trailers()
                      : r.headers();
              List<Header> trailing = new ArrayList<>();
              r.trailers()
                  .forEach(e -> trailing.add(Header.of(e.getKey().toLowerCase(), e.getValue())));
              callbacks.onTrailingMetadata(trailing);
              int status;
              try {
                status = Integer.parseInt(String.valueOf(t.get("grpc-status")).trim());
              } catch (NumberFormatException e) {
                status = r.statusCode() == 200 ? 2 : 14; // UNKNOWN, or UNAVAILABLE
              }
              String msg = t.get("grpc-message");
              callbacks.onClose(status, msg == null ? "" : msg);
            });
    return new GrpcCallHandler.Outbound() {
      @Override
      public void close() {
        cancel();
      }

      @Override
      public void cancel() {
        io.vertx.core.http.HttpClientRequest r = sent.get();
        if (r != null) {
          r.reset();
        }
      }
    };
  }

  // ------------------------------------------------------------------ reload

  /**
   * Reloads every plugin: reads the configuration again, loads each plugin and runs its canary off
   * the event loops; if all load, new requests use them, requests in flight finish on the old ones,
   * which close after. If one fails, every listener keeps its plugin.
   *
   * @return what was reloaded
   * @throws ConfigException if the configuration or a plugin failed; nothing changed
   */
  public String reload() throws ConfigException {
    synchronized (reloadLock) {
      if (closed) {
        throw new ConfigException("the gateway is shutting down");
      }
      if (reloadSource == null) {
        throw new ConfigException("this gateway has no configuration to reload from");
      }
      GatewaySpec next = reloadSource.load();
      if (next.listeners().size() != listeners.size()) {
        throw new ConfigException(
            "the listeners changed ("
                + listeners.size()
                + " running, "
                + next.listeners().size()
                + " configured): restart to apply");
      }
      List<List<Plugin>> loaded = new ArrayList<>();
      try {
        for (int i = 0; i < next.listeners().size(); i++) {
          loaded.add(loadAll(next.listeners().get(i), i));
        }
      } catch (ConfigException | RuntimeException e) {
        loaded.forEach(ps -> ps.forEach(Plugin::close));
        throw e;
      }
      generation++;
      StringBuilder done = new StringBuilder();
      for (int i = 0; i < listeners.size(); i++) {
        ListenerRuntime lr = listeners.get(i);
        List<Plugin> ps = loaded.get(i);
        LivePlugin old =
            lr.plugin.getAndSet(ps.isEmpty() ? null : new LivePlugin(ps, generation, true));
        if (old != null) {
          old.retire();
        }
        done.append("listener ").append(lr.spec.name()).append(": ");
        if (ps.isEmpty()) {
          done.append("no plugin");
        } else {
          done.append(ps.size() == 1 ? "plugin " : "plugins ");
          for (int k = 0; k < ps.size(); k++) {
            done.append(k == 0 ? "" : ", ").append(ps.get(k).info().name());
          }
          done.append(" generation ").append(generation);
        }
        done.append('\n');
      }
      watched = watchedFiles(next);
      LOG.info("reloaded: {}", done.toString().trim().replace('\n', ';'));
      return done.toString();
    }
  }

  private static Map<Path, FileTime> watchedFiles(GatewaySpec s) {
    Map<Path, FileTime> m = new HashMap<>();
    for (ListenerSpec l : s.listeners()) {
      for (PluginSpec ps : l.plugins()) {
        for (Path p : new Path[] {ps.codeFile(), ps.configFile()}) {
          if (p != null) {
            m.put(p, mtime(p));
          }
        }
      }
    }
    return m;
  }

  private static FileTime mtime(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private void checkWatched() {
    boolean changed = false;
    for (Map.Entry<Path, FileTime> e : watched.entrySet()) {
      if (!mtime(e.getKey()).equals(e.getValue())) {
        changed = true;
      }
    }
    if (changed) {
      watched = watchedFiles(spec);
      vertx
          .executeBlocking(this::reload, false)
          .onFailure(
              e ->
                  LOG.warn(
                      "reload after a file change failed, the old plugins stay: {}",
                      e.getMessage()));
    }
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
    if (watchTimer >= 0) {
      vertx.cancelTimer(watchTimer);
    }
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
      Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(concurrency));
      EnvoyWasmExtension extension;
      if (host != null && host.extension() instanceof EnvoyWasmExtension e) {
        extension = e;
      } else {
        extension = EnvoyWasmExtension.withDiscoveredSinks();
      }
      Gateway g = new Gateway(this, vertx, extension);
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

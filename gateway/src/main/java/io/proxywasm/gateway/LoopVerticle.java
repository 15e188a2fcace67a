package io.proxywasm.gateway;

import io.proxywasm.gateway.config.GatewaySpec.TlsSpec;
import io.proxywasm.host.Worker;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The verticle of one event loop: its host worker and its share of every listener. Each loop binds
 * every listener's port (Vert.x shares the socket among them); an HTTP listener's requests become
 * {@link Exchange}s, a TCP listener's connections {@link TcpSession}s, on this loop.
 */
final class LoopVerticle extends VerticleBase {
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
    List<Future<?>> started = new ArrayList<>();
    for (ListenerRuntime lr : gateway.listeners) {
      started.add(lr.spec.isTcp() ? listenTcp(lr) : listenHttp(lr));
    }
    return Future.all(started);
  }

  private Future<HttpServer> listenHttp(ListenerRuntime lr) {
    HttpServer server = vertx.createHttpServer(httpOptions(lr.spec.tls()));
    server.connectionHandler(
        c -> {
          lr.cxTotal.add(1);
          loop.connected(c);
        });
    server.requestHandler(
        req -> {
          // every request takes its place among its connection's trailers, even one refused here
          DownstreamTrailers trailers = loop.requestTrailers(req.connection());
          long trailersKey = trailers == null ? -1 : trailers.begin(req);
          if (gateway.isClosed()) {
            req.response().setStatusCode(503).putHeader("connection", "close").end();
            return;
          }
          loop.exchangeStarted();
          new Exchange(loop, lr, req, trailers, trailersKey).start();
        });
    return server
        .listen(lr.bindPort, lr.spec.host())
        .compose(srv -> bound(lr, srv, srv.actualPort(), gateway.servers));
  }

  /** An HTTP listener's server: h2c, no compression, and TLS with ALPN when configured. */
  private static HttpServerOptions httpOptions(TlsSpec tls) {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHttp2ClearTextEnabled(true)
            .setCompressionSupported(false)
            .setDecompressionSupported(false)
            .setHandle100ContinueAutomatically(true)
            // every write to a downstream connection happens on its event loop (plugin actions
            // from other threads come back through the loop's context first), so Vert.x may write
            // straight to the channel instead of through a queue that other threads could use
            .setStrictThreadMode(true)
            // the gateway never accepts a WebSocket itself (an upgrade request is proxied like any
            // other), so Vert.x needs no WebSocket compression negotiator in every HTTP/1.1
            // connection's pipeline, which every request and response would pass through
            .setPerFrameWebSocketCompressionSupported(false)
            .setPerMessageWebSocketCompressionSupported(false)
            .setIdleTimeout(300)
            .setIdleTimeoutUnit(TimeUnit.SECONDS);
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
    return options;
  }

  private Future<NetServer> listenTcp(ListenerRuntime lr) {
    NetServer server = vertx.createNetServer(new NetServerOptions());
    server.connectHandler(
        socket -> {
          if (gateway.isClosed()) {
            socket.close();
            return;
          }
          new TcpSession(loop, lr, socket).start();
        });
    return server
        .listen(lr.bindPort, lr.spec.host())
        .compose(srv -> bound(lr, srv, srv.actualPort(), gateway.tcpServers));
  }

  /**
   * Keeps a listening server for the shutdown and records the listener's port; every loop must have
   * bound the same one.
   */
  private static <S> Future<S> bound(
      ListenerRuntime lr, S server, int actualPort, List<S> servers) {
    servers.add(server);
    if (lr.port != 0 && lr.port != actualPort) {
      return Future.failedFuture(
          "event loops bound different ports: " + lr.port + " and " + actualPort);
    }
    lr.port = actualPort;
    return Future.succeededFuture(server);
  }

  @Override
  public Future<?> stop() {
    loop.worker.close();
    return Future.succeededFuture();
  }
}

package io.proxywasm.gateway;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a gateway test sets up and takes down around each test: in-process upstreams on loopback
 * ports (on a Vert.x instance of their own), the gateway under test, and anything else to close.
 * After each test the gateway shuts down (one second to drain), then what was handed to {@link
 * #closeLater} closes (last first), then the upstreams' Vert.x.
 *
 * <pre>{@code
 * @RegisterExtension final GatewayFixture gw = new GatewayFixture();
 * }</pre>
 */
final class GatewayFixture implements AfterEachCallback {
  private Vertx vertx;
  private Gateway gateway;
  private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

  /** The upstreams' Vert.x, made on first use. */
  Vertx vertx() {
    if (vertx == null) {
      vertx = Vertx.vertx();
    }
    return vertx;
  }

  /** An HTTP/1.1 upstream on a loopback port, answering every request with the handler. */
  HttpServer http(Handler<HttpServerRequest> handler) throws Exception {
    return http(new HttpServerOptions(), handler);
  }

  /** An HTTP upstream with these options on a loopback port. */
  HttpServer http(HttpServerOptions options, Handler<HttpServerRequest> handler) throws Exception {
    return await(vertx().createHttpServer(options).requestHandler(handler).listen(0, "127.0.0.1"));
  }

  /** A TCP upstream on a loopback port, handing every connection to the handler. */
  NetServer tcp(Handler<NetSocket> handler) throws Exception {
    return await(vertx().createNetServer().connectHandler(handler).listen(0, "127.0.0.1"));
  }

  /** Starts the gateway under test, which this fixture shuts down after the test. */
  Gateway start(Gateway.Builder builder) throws Exception {
    gateway = builder.start();
    return gateway;
  }

  /** The gateway under test. */
  Gateway gateway() {
    return gateway;
  }

  /** The port of the gateway's listener with this index. */
  int port(int listener) {
    return gateway.port(listener);
  }

  /** Shuts the gateway down now (one second to drain), for a test that looks at what follows. */
  void shutdown() {
    gateway.shutdown(Duration.ofSeconds(1));
    gateway = null;
  }

  /** Something to close after the test, after the gateway's shutdown. */
  <T extends AutoCloseable> T closeLater(T closeable) {
    closeables.push(closeable);
    return closeable;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (gateway != null) {
      gateway.shutdown(Duration.ofSeconds(1));
      gateway = null;
    }
    while (!closeables.isEmpty()) {
      closeables.pop().close();
    }
    if (vertx != null) {
      await(vertx.close());
      vertx = null;
    }
  }

  /** What a Vert.x future gives, waited for at most ten seconds. */
  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}

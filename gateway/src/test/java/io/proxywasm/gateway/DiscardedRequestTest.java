package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Clients that leave while their event loop is busy: when the loop gets to them, each request
 * starts, its client is found gone, and the upstream request the cluster's pool hands out a moment
 * later is reset quietly, with no ERROR line in the log.
 */
class DiscardedRequestTest {
  /** Holds its event loop for half a second on {@code /block}, as a slow plugin would. */
  static final class BlockingPlugin implements JavaPlugin {
    @Override
    public String name() {
      return "blocking";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            @Override
            public Action onRequestHeaders(int headers, boolean endOfStream) {
              if ("/block".equals(requestHeaders().get(":path").orElse(""))) {
                try {
                  Thread.sleep(500);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return Action.CONTINUE;
            }
          };
        }
      };
    }
  }

  @Test
  void requestsOfClientsThatLeftAreResetWithoutAnErrorLine() throws Exception {
    Vertx upstreamVertx = Vertx.vertx();
    AtomicInteger upstreamRequests = new AtomicInteger();
    HttpServer upstream =
        upstreamVertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  upstreamRequests.incrementAndGet();
                  req.response().end("up");
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    ProxyWasmHost host = ProxyWasmHost.builder().offer("blocking", new BlockingPlugin()).build();
    Plugin plugin = host.load(PluginConfig.builder("blocking").javaPlugin("blocking").build());
    Gateway gateway =
        Gateway.builder(Specs.oneRoute(null, upstream.actualPort(), Duration.ofSeconds(15)))
            .external(host, plugin)
            .concurrency(1)
            .start();
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      // the cluster's pool holds an open connection
      assertEquals(200, Http.get(gateway.port(0), "/warm").statusCode());
      System.setErr(new PrintStream(new Tee(err, captured), true, StandardCharsets.UTF_8));
      CompletableFuture<HttpResponse<String>> blocked =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return Http.get(gateway.port(0), "/block");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      Thread.sleep(200); // the loop sleeps in the plugin now
      for (int i = 0; i < 20; i++) {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), gateway.port(0))) {
          client
              .getOutputStream()
              .write(
                  ("GET /gone-" + i + " HTTP/1.1\r\nhost: x\r\n\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
        } // the client leaves before the loop has read its request
      }
      assertEquals(200, blocked.get(10, TimeUnit.SECONDS).statusCode());
      assertEquals(200, Http.get(gateway.port(0), "/after").statusCode());
      Thread.sleep(300);
    } finally {
      System.setErr(err);
      gateway.shutdown(Duration.ofSeconds(1));
      plugin.close();
      host.close();
      upstreamVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    // the requests of the clients that left never reached the upstream
    assertTrue(
        upstreamRequests.get() >= 3 && upstreamRequests.get() < 23, upstreamRequests::toString);
    String log = captured.toString(StandardCharsets.UTF_8);
    assertFalse(log.contains("Stream reset"), log);
    assertFalse(log.contains("ERROR"), log);
  }

  /** Writes to the real standard error and keeps a copy. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws java.io.IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }
  }
}

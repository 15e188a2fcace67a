package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.PluginConfig;
import io.proxywasm.spi.MetricType;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bodies stream through chunk by chunk; a client that goes away ends the plugin's stream. */
class StreamingTest {
  /** More than the test JVM's heap (-Xmx192m): the body can never be in memory at once. */
  private static final long SIZE = 200L << 20;

  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  private HttpServer upstream;
  private Gateway gateway;
  private final CountDownLatch hung = new CountDownLatch(1);
  private final CountDownLatch hungClosed = new CountDownLatch(1);

  @BeforeEach
  void start() throws Exception {
    upstream =
        gw.http(
            req -> {
              if (req.path().equals("/upload")) {
                CRC32 crc = new CRC32();
                long[] n = {0};
                req.handler(
                    b -> {
                      n[0] += b.length();
                      crc.update(b.getBytes());
                    });
                req.endHandler(v -> req.response().end(n[0] + " " + crc.getValue()));
              } else if (req.path().equals("/download")) {
                HttpServerResponse resp = req.response().setChunked(true);
                byte[] chunk = pattern(64 * 1024);
                long[] sent = {0};
                Runnable[] pump = new Runnable[1];
                pump[0] =
                    () -> {
                      while (sent[0] < SIZE && !resp.writeQueueFull()) {
                        resp.write(Buffer.buffer(chunk));
                        sent[0] += chunk.length;
                      }
                      if (sent[0] >= SIZE) {
                        resp.end();
                      } else {
                        resp.drainHandler(v -> pump[0].run());
                      }
                    };
                pump[0].run();
              } else if (req.path().equals("/hang")) {
                req.connection().closeHandler(v -> hungClosed.countDown());
                hung.countDown();
              } else {
                req.response().end("ok");
              }
            });
    PluginConfig plugin =
        PluginConfig.builder("headers").code(Http.plugin("c-http-headers.wasm")).build();
    gateway =
        gw.start(
            Gateway.builder(Specs.oneRoute(plugin, upstream.actualPort(), Duration.ofSeconds(60)))
                .concurrency(1));
  }

  private static byte[] pattern(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + 7);
    }
    return b;
  }

  /** An input stream of SIZE bytes of the pattern, made on the fly. */
  private static InputStream generated(CRC32 crc) {
    byte[] chunk = pattern(64 * 1024);
    return new InputStream() {
      long left = SIZE;
      int pos;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left == 0) {
          return -1;
        }
        int n = (int) Math.min(Math.min(len, chunk.length - pos), left);
        System.arraycopy(chunk, pos, b, off, n);
        crc.update(chunk, pos, n);
        pos = (pos + n) % chunk.length;
        left -= n;
        return n;
      }
    };
  }

  @Test
  void aRequestBodyLargerThanTheHeapStreamsThrough() throws Exception {
    assertTrue(
        Runtime.getRuntime().maxMemory() < SIZE, "the test needs a heap smaller than the body");
    CRC32 sent = new CRC32();
    HttpResponse<String> r =
        Http.CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port(0) + "/upload"))
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> generated(sent)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(SIZE + " " + sent.getValue(), r.body());
  }

  @Test
  void aResponseBodyLargerThanTheHeapStreamsThrough() throws Exception {
    HttpResponse<InputStream> r =
        Http.CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port(0) + "/download"))
                .timeout(Duration.ofSeconds(120))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    CRC32 got = new CRC32();
    CRC32 expected = new CRC32();
    byte[] chunk = pattern(64 * 1024);
    for (long i = 0; i < SIZE; i += chunk.length) {
      expected.update(chunk);
    }
    long n = 0;
    byte[] buf = new byte[65536];
    try (InputStream in = r.body()) {
      int k;
      while ((k = in.read(buf)) > 0) {
        got.update(buf, 0, k);
        n += k;
      }
    }
    assertEquals(SIZE, n);
    assertEquals(expected.getValue(), got.getValue());
  }

  @Test
  void aClientThatGoesAwayEndsTheStreamAndTheUpstreamRequest() throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.port(0))) {
      s.getOutputStream()
          .write("GET /hang HTTP/1.1\r\nhost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      assertTrue(hung.await(10, TimeUnit.SECONDS), "the request reaches the upstream");
      assertEquals(1, gateway.activeRequests());
    }
    assertTrue(hungClosed.await(10, TimeUnit.SECONDS), "the upstream request is reset");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (gateway.activeRequests() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(0, gateway.activeRequests(), "the exchange ended");
    assertEquals(0, gateway.listeners.get(0).plugin.get().inFlight(), "the plugin stream closed");
    assertEquals(
        1, gateway.stats.stat(MetricType.COUNTER, "http.test.downstream_rq_rx_reset").value());
  }
}

package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stream properties from the real connection, buffered bodies and their limit, trailers. */
class StreamDetailsTest {
  /** A Java plugin that shows what it saw and rewrites what it buffered. */
  static final class DetailsPlugin implements JavaPlugin {
    @Override
    public String name() {
      return "details";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            @Override
            public Action onRequestBody(int bodySize, boolean endOfStream) {
              if (!endOfStream) {
                return Action.PAUSE;
              }
              requestBody().replaceAll(("len=" + bodySize).getBytes(StandardCharsets.UTF_8));
              return Action.CONTINUE;
            }

            @Override
            public Action onResponseHeaders(int headers, boolean endOfStream) {
              String[][] props = {
                {"x-source", "source", "address"},
                {"x-destination", "destination", "address"},
                {"x-route", "xds", "route_name"},
                {"x-cluster", "xds", "cluster_name"},
                {"x-upstream", "upstream", "address"},
                {"x-protocol", "request", "protocol"},
                {"x-url-path", "request", "url_path"},
                {"x-id", "request", "id"},
              };
              for (String[] p : props) {
                responseHeaders().set(p[0], propertyString(p[1], p[2]).orElse("(none)"));
              }
              return Action.CONTINUE;
            }

            @Override
            public Action onResponseTrailers(int trailers) {
              responseTrailers().add("x-plugin-trailer", "yes");
              return Action.CONTINUE;
            }
          };
        }
      };
    }
  }

  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  private HttpServer upstream;
  private ProxyWasmHost host;
  private Plugin plugin;
  private Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    upstream =
        gw.http(
            req ->
                req.body()
                    .onSuccess(
                        body -> {
                          if (req.path().equals("/trailers")) {
                            req.response().setChunked(true).putTrailer("x-up-trailer", "1");
                            req.response().end("with trailers");
                          } else {
                            req.response()
                                .end(
                                    body.toString() + " cl=" + req.headers().get("content-length"));
                          }
                        }));
    // closed after the gateway's shutdown, the plugin first
    host = gw.closeLater(ProxyWasmHost.builder().offer("details", new DetailsPlugin()).build());
    plugin =
        gw.closeLater(host.load(PluginConfig.builder("details").javaPlugin("details").build()));
    gateway =
        gw.start(
            Gateway.builder(Specs.oneRoute(null, upstream.actualPort(), Duration.ofSeconds(15)))
                .external(host, plugin)
                .concurrency(1));
  }

  @Test
  void thePluginReadsTheStreamsPropertiesFromTheConnection() throws Exception {
    HttpResponse<String> r = Http.get(gateway.port(0), "/p/q?x=1");
    assertEquals(200, r.statusCode());
    String source = r.headers().firstValue("x-source").orElse("");
    assertTrue(source.startsWith("127.0.0.1:"), source);
    assertEquals(
        "127.0.0.1:" + gateway.port(0), r.headers().firstValue("x-destination").orElse(""));
    assertEquals("all", r.headers().firstValue("x-route").orElse(""));
    assertEquals("up", r.headers().firstValue("x-cluster").orElse(""));
    assertEquals(
        "127.0.0.1:" + upstream.actualPort(), r.headers().firstValue("x-upstream").orElse(""));
    assertEquals("HTTP/1.1", r.headers().firstValue("x-protocol").orElse(""));
    assertEquals("/p/q", r.headers().firstValue("x-url-path").orElse(""));
    assertEquals(36, r.headers().firstValue("x-id").orElse("").length());
  }

  @Test
  void aFailedUpstreamStillHasTheAddressItWasTriedAt() throws Exception {
    int port = upstream.actualPort();
    upstream.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    HttpResponse<String> r = Http.get(gateway.port(0), "/p");
    assertEquals(503, r.statusCode());
    // the router's own reply went through the plugin, which read the upstream it was tried at
    assertEquals("127.0.0.1:" + port, r.headers().firstValue("x-upstream").orElse(""));
    assertEquals("up", r.headers().firstValue("x-cluster").orElse(""));
  }

  @Test
  void aBufferedBodyIsRewrittenWithItsLengthAndRefusedPastTheLimit() throws Exception {
    HttpResponse<String> r = Http.post(gateway.port(0), "/b", "hello");
    assertEquals(200, r.statusCode());
    assertEquals(
        "len=5 cl=5", r.body(), "the rewritten body and its content-length reach the upstream");
    HttpResponse<String> big = Http.post(gateway.port(0), "/b", "x".repeat((1 << 20) + 10));
    assertEquals(413, big.statusCode(), "past the 1 MiB buffer limit, as Envoy");
  }

  @Test
  void responseTrailersReachThePluginAndTheClient() throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.port(0))) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              "GET /trailers HTTP/1.1\r\nhost: x\r\nte: trailers\r\nconnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        if (out.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")
            && out.toString(StandardCharsets.US_ASCII).contains("\r\n0\r\n")) {
          break;
        }
      }
      String raw = out.toString(StandardCharsets.US_ASCII).toLowerCase();
      assertTrue(raw.contains("with trailers"), raw);
      assertTrue(raw.contains("x-up-trailer: 1"), raw);
      assertTrue(raw.contains("x-plugin-trailer: yes"), raw);
    }
  }
}

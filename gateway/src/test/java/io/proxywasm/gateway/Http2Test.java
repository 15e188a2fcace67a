package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 downstream in clear text (h2c) and over TLS with ALPN, and HTTP/2 upstream for a cluster
 * with http2_protocol_options, with the JDK client in HTTP_2 mode.
 */
class Http2Test {
  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  @TempDir Path dir;
  private Gateway gateway;
  private SSLContext trust;

  /**
   * Two listeners, {@code plain} and {@code tls} (with the certificate in {@code certDir}), whose
   * routes send {@code /h2up/} to cluster {@code up2} (HTTP/2) and the rest to {@code up}.
   *
   * @param hcmFields more fields of both connection managers
   * @param filter the HTTP filter before the router
   */
  static String yaml(Path certDir, String hcmFields, String filter, int upPort, int up2Port) {
    String routes = Specs.route("/h2up/", "up2") + Specs.route("/", "up");
    return Specs.staticResources(
        Specs.httpListener("plain", "plain", "", hcmFields, routes, filter)
            + Specs.httpListener(
                "tls", "tls", Specs.downstreamTls(certDir), hcmFields, routes, filter),
        Specs.cluster("up", "connect_timeout: 1s\nlb_policy: ROUND_ROBIN", "127.0.0.1", upPort)
            + Specs.http2Cluster("up2", up2Port));
  }

  @BeforeEach
  void start() throws Exception {
    trust = Certificates.create(dir);
    HttpServer upstream =
        gw.http(
            new HttpServerOptions().setHttp2ClearTextEnabled(true),
            req -> {
              if (req.path().equals("/trailers")) {
                req.response().setChunked(true).putTrailer("x-up-trailer", "1");
                req.response().end("with trailers");
                return;
              }
              req.body()
                  .onSuccess(
                      b ->
                          req.response().end(req.version() + " " + req.uri() + " " + b.toString()));
            });
    String yaml =
        yaml(
            dir,
            "codec_type: AUTO",
            Specs.wasmFileFilter("rust-http-headers.wasm"),
            upstream.actualPort(),
            upstream.actualPort());
    gateway = gw.start(Gateway.builder(Specs.parse(yaml)).concurrency(1));
  }

  private static HttpResponse<String> send(HttpClient c, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    if (body != null) {
      b.POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return Http.send(c, b);
  }

  @Test
  void clearTextHttp2ReachesThePluginAndTheUpstreams() throws Exception {
    HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    String base = "http://127.0.0.1:" + gateway.port(0);
    // the first request upgrades the connection (h2c), the next ones use it
    HttpResponse<String> first = send(c, base + "/one", null);
    assertEquals(200, first.statusCode());
    for (String path : new String[] {"/two", "/h2up/three"}) {
      HttpResponse<String> r = send(c, base + path, "body of " + path);
      assertEquals(HttpClient.Version.HTTP_2, r.version(), path);
      assertEquals(200, r.statusCode(), r.body());
      String upstreamVersion = path.startsWith("/h2up/") ? "HTTP_2" : "HTTP_1_1";
      assertEquals(upstreamVersion + " " + path + " body of " + path, r.body());
      assertEquals("rust", r.headers().firstValue("x-proxy-wasm-sdk").orElse(""), path);
    }
    HttpResponse<String> hello = send(c, base + "/hello", null);
    assertEquals(HttpClient.Version.HTTP_2, hello.version());
    assertEquals("Hello, World!\n", hello.body());
  }

  @Test
  void tlsWithAlpnServesHttp2AndHttp11() throws Exception {
    String base = "https://127.0.0.1:" + gateway.port(1);
    HttpClient h2 =
        HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> r = send(h2, base + "/h2up/secure", "over tls");
    assertEquals(HttpClient.Version.HTTP_2, r.version());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("HTTP_2 /h2up/secure over tls", r.body());
    assertEquals("rust", r.headers().firstValue("x-proxy-wasm-sdk").orElse(""));

    HttpClient h1 =
        HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> r1 = send(h1, base + "/plain", null);
    assertEquals(HttpClient.Version.HTTP_1_1, r1.version());
    assertEquals("HTTP_1_1 /plain ", r1.body());
  }

  @Test
  void responseTrailersReachAnHttp2Client() throws Exception {
    io.vertx.core.http.HttpClient c =
        gw.vertx()
            .createHttpClient(
                new io.vertx.core.http.HttpClientOptions()
                    .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2)
                    .setHttp2ClearTextUpgrade(false));
    var r =
        c.request(io.vertx.core.http.HttpMethod.GET, gateway.port(0), "127.0.0.1", "/trailers")
            .compose(q -> q.send())
            .compose(resp -> resp.body().map(b -> java.util.Map.entry(resp, b.toString())))
            .toCompletionStage()
            .toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
    assertEquals(io.vertx.core.http.HttpVersion.HTTP_2, r.getKey().version());
    assertEquals("with trailers", r.getValue());
    assertEquals("1", r.getKey().getTrailer("x-up-trailer"));
  }
}

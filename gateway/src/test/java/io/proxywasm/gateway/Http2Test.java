package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.gateway.config.EnvoyBootstrap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.FileInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 downstream in clear text (h2c) and over TLS with ALPN, and HTTP/2 upstream for a cluster
 * with http2_protocol_options, with the JDK client in HTTP_2 mode.
 */
class Http2Test {
  private static final Path ROOT = Http.repo("");
  @TempDir Path dir;
  private Vertx vertx;
  private HttpServer upstream;
  private Gateway gateway;
  private SSLContext trust;

  private void certificate() throws Exception {
    trust = certificate(dir);
  }

  /**
   * A self-signed certificate for 127.0.0.1 made with keytool, written as PEM files ({@code
   * cert.pem}, {@code key.pem}) in a directory.
   *
   * @return a TLS context that trusts it
   */
  static SSLContext certificate(Path dir) throws Exception {
    return certificate(dir, "ip:127.0.0.1,dns:localhost");
  }

  /**
   * A self-signed certificate with the given subject alternative names, as {@link
   * #certificate(Path)} writes it ({@code gw.p12} too, password {@code changeit}).
   *
   * @param san keytool's SAN list, such as {@code ip:127.0.0.1,dns:localhost}
   * @return a TLS context that trusts it
   */
  static SSLContext certificate(Path dir, String san) throws Exception {
    Path p12 = dir.resolve("gw.p12");
    Process k =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "gw",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=" + san,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                p12.toString(),
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String out = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(k.waitFor(60, TimeUnit.SECONDS) && k.exitValue() == 0, out);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(p12.toFile())) {
      ks.load(in, "changeit".toCharArray());
    }
    Key key = ks.getKey("gw", "changeit".toCharArray());
    Certificate cert = ks.getCertificate("gw");
    Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    Files.writeString(
        dir.resolve("key.pem"),
        "-----BEGIN PRIVATE KEY-----\n"
            + b64.encodeToString(key.getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    Files.writeString(
        dir.resolve("cert.pem"),
        "-----BEGIN CERTIFICATE-----\n"
            + b64.encodeToString(cert.getEncoded())
            + "\n-----END CERTIFICATE-----\n");
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("gw", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    SSLContext trust = SSLContext.getInstance("TLS");
    trust.init(null, tmf.getTrustManagers(), null);
    return trust;
  }

  static String listener(String name, String tls) {
    return """
            - name: %s
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
                - %sfilters:
                    - name: envoy.filters.network.http_connection_manager
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        stat_prefix: %s
                        codec_type: AUTO
                        route_config:
                          virtual_hosts:
                            - name: all
                              domains: ["*"]
                              routes:
                                - match: { prefix: "/h2up/" }
                                  route: { cluster: up2 }
                                - match: { prefix: "/" }
                                  route: { cluster: up }
                        http_filters:
                          - name: envoy.filters.http.wasm
                            typed_config:
                              "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
                              config:
                                vm_config:
                                  code: { local: { filename: plugins/wasm/rust-http-headers.wasm } }
                          - name: envoy.filters.http.router
        """
        .formatted(name, tls, name);
  }

  @BeforeEach
  void start() throws Exception {
    certificate();
    vertx = Vertx.vertx();
    upstream =
        vertx
            .createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
            .requestHandler(
                req -> {
                  if (req.path().equals("/trailers")) {
                    req.response().setChunked(true).putTrailer("x-up-trailer", "1");
                    req.response().end("with trailers");
                    return;
                  }
                  req.body()
                      .onSuccess(
                          b ->
                              req.response()
                                  .end(req.version() + " " + req.uri() + " " + b.toString()));
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    String tls =
        "transport_socket:\n"
            + "            name: envoy.transport_sockets.tls\n"
            + "            typed_config:\n"
            + "              \"@type\": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext\n"
            + "              common_tls_context:\n"
            + "                alpn_protocols: [\"h2\", \"http/1.1\"]\n"
            + "                tls_certificates:\n"
            + "                  - certificate_chain: { filename: "
            + dir.resolve("cert.pem")
            + " }\n"
            + "                    private_key: { filename: "
            + dir.resolve("key.pem")
            + " }\n"
            + "          ";
    String cluster =
        """
            - name: %s
              connect_timeout: 1s
              %s
              load_assignment:
                cluster_name: %s
                endpoints:
                  - lb_endpoints:
                      - endpoint:
                          address:
                            socket_address: { address: 127.0.0.1, port_value: %d }
        """;
    String yaml =
        "static_resources:\n  listeners:\n"
            + listener("plain", "")
            + listener("tls", tls)
            + "  clusters:\n"
            + cluster.formatted("up", "lb_policy: ROUND_ROBIN", "up", upstream.actualPort())
            + cluster.formatted("up2", "http2_protocol_options: {}", "up2", upstream.actualPort());
    gateway = Gateway.builder(EnvoyBootstrap.parse(yaml, ROOT)).concurrency(1).start();
  }

  @AfterEach
  void stop() throws Exception {
    gateway.shutdown(Duration.ofSeconds(1));
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static HttpResponse<String> send(HttpClient c, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    if (body != null) {
      b.POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
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
        vertx.createHttpClient(
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

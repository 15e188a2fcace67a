package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.gateway.config.ConfigException;
import io.proxywasm.gateway.config.EnvoyBootstrap;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clusters with an UpstreamTlsContext, over real sockets: Vert.x TLS servers as upstreams (one
 * asking for a client certificate), certificates made with keytool, the gateway in front.
 */
class UpstreamTlsTest {
  private static final Path ROOT = Http.repo("");
  @TempDir Path dir;
  private Vertx vertx;
  private HttpServer upstream;
  private HttpServer mtlsUpstream;
  private Gateway gateway;
  private Path server;
  private Path other;
  private Path client;

  /**
   * Answers with the protocol, the SNI name the server saw and the client certificate's subject.
   */
  private static void answer(HttpServerRequest req) {
    String peer = "none";
    try {
      peer =
          ((X509Certificate) req.connection().peerCertificates().get(0))
              .getSubjectX500Principal()
              .getName();
    } catch (SSLPeerUnverifiedException e) {
      // no client certificate
    }
    req.response()
        .end(
            req.version()
                + " sni="
                + req.connection().indicatedServerName()
                + " client="
                + peer
                + " path="
                + req.path());
  }

  private HttpServer listen(HttpServerOptions o) throws Exception {
    return vertx
        .createHttpServer(o)
        .requestHandler(UpstreamTlsTest::answer)
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private static HttpServerOptions tlsServer(Path certDir) {
    return new HttpServerOptions()
        .setSsl(true)
        .setSni(true)
        .setUseAlpn(true)
        .setKeyCertOptions(
            new PemKeyCertOptions()
                .setCertPath(certDir.resolve("cert.pem").toString())
                .setKeyPath(certDir.resolve("key.pem").toString()));
  }

  private static String cluster(String name, String extra, String tls, int port) {
    return """
            - name: %s
              connect_timeout: 2s
              %s
              transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        %s
              load_assignment:
                cluster_name: %s
                endpoints:
                  - lb_endpoints:
                      - endpoint:
                          address:
                            socket_address: { address: 127.0.0.1, port_value: %d }
        """
        .formatted(name, extra, tls.indent(10).stripTrailing(), name, port);
  }

  private static String route(String cluster) {
    return "                    - match: { prefix: \"/"
        + cluster
        + "/\" }\n                      route: { cluster: "
        + cluster
        + " }\n";
  }

  private String trusted(Path certDir) {
    return "common_tls_context:\n  validation_context:\n    trusted_ca: { filename: "
        + certDir.resolve("cert.pem")
        + " }\n";
  }

  private String clusters() {
    String clientCert =
        "  tls_certificates:\n    - certificate_chain: { filename: "
            + client.resolve("cert.pem")
            + " }\n      private_key: { filename: "
            + client.resolve("key.pem")
            + " }\n";
    int up = upstream.actualPort();
    int mtls = mtlsUpstream.actualPort();
    return cluster("h1", "", "sni: backend.example\n" + trusted(server), up)
        + cluster("h2", "http2_protocol_options: {}", trusted(server), up)
        + cluster("alpn", "", trusted(server) + "  alpn_protocols: [h2, http/1.1]\n", up)
        + cluster("untrusted", "", trusted(other), up)
        + cluster("unverified", "", "sni: any.example\n", up)
        + cluster(
            "sanok",
            "",
            trusted(server)
                + "    match_typed_subject_alt_names:\n"
                + "      - san_type: DNS\n        matcher: { exact: localhost }\n",
            up)
        + cluster(
            "sanbad",
            "",
            trusted(server)
                + "    match_typed_subject_alt_names:\n"
                + "      - san_type: DNS\n        matcher: { exact: backend.example }\n",
            up)
        + cluster("mtls", "", trusted(server) + clientCert, mtls)
        + cluster("nocert", "", trusted(server), mtls);
  }

  @BeforeEach
  void start() throws Exception {
    server = Files.createDirectory(dir.resolve("server"));
    other = Files.createDirectory(dir.resolve("other"));
    client = Files.createDirectory(dir.resolve("client"));
    Http2Test.certificate(server);
    Http2Test.certificate(other);
    Http2Test.certificate(client);
    vertx = Vertx.vertx();
    upstream = listen(tlsServer(server));
    mtlsUpstream =
        listen(
            tlsServer(server)
                .setClientAuth(ClientAuth.REQUIRED)
                .setTrustOptions(
                    new PemTrustOptions().addCertPath(client.resolve("cert.pem").toString())));
    StringBuilder routes = new StringBuilder();
    for (String c :
        new String[] {
          "h1", "h2", "alpn", "untrusted", "unverified", "sanok", "sanbad", "mtls", "nocert"
        }) {
      routes.append(route(c));
    }
    String yaml =
        """
        static_resources:
          listeners:
            - name: http
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
                - filters:
                    - name: envoy.filters.network.http_connection_manager
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        stat_prefix: http
                        route_config:
                          virtual_hosts:
                            - name: all
                              domains: ["*"]
                              routes:
        %s
                        http_filters:
                          - name: envoy.filters.http.router
            - name: tcp
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
                - filters:
                    - name: envoy.filters.network.tcp_proxy
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                        stat_prefix: tcp
                        cluster: h1
          clusters:
        %s
        """
            .formatted(routes.toString().indent(8).stripTrailing(), clusters());
    gateway = Gateway.builder(EnvoyBootstrap.parse(yaml, ROOT)).concurrency(1).start();
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.shutdown(Duration.ofSeconds(1));
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get(String path) throws Exception {
    HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return c.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port(0) + path))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void http11OverTlsWithTrustedCaAndSni() throws Exception {
    HttpResponse<String> r = get("/h1/x");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("HTTP_1_1 sni=backend.example client=none path=/h1/x", r.body());
  }

  @Test
  void http2ByAlpn() throws Exception {
    HttpResponse<String> r = get("/h2/x");
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().startsWith("HTTP_2 "), r.body());
    // no sni configured: the endpoint is an IP address, so no name is sent
    assertTrue(r.body().contains(" sni=null "), r.body());
    HttpResponse<String> a = get("/alpn/x");
    assertEquals(200, a.statusCode(), a.body());
    assertTrue(a.body().startsWith("HTTP_2 "), a.body());
  }

  @Test
  void untrustedServerCertificateIs503() throws Exception {
    HttpResponse<String> r = get("/untrusted/x");
    assertEquals(503, r.statusCode(), r.body());
    assertEquals(
        "upstream connect error or disconnect/reset before headers. reset reason: connection"
            + " failure, transport failure reason: TLS error: 268435581:SSL"
            + " routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED",
        r.body());
  }

  @Test
  void withoutValidationContextThePeerIsNotVerified() throws Exception {
    HttpResponse<String> r = get("/unverified/x");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("HTTP_1_1 sni=any.example client=none path=/unverified/x", r.body());
  }

  @Test
  void subjectAltNameMatchers() throws Exception {
    HttpResponse<String> ok = get("/sanok/x");
    assertEquals(200, ok.statusCode(), ok.body());
    HttpResponse<String> bad = get("/sanbad/x");
    assertEquals(503, bad.statusCode(), bad.body());
    assertTrue(bad.body().endsWith("CERTIFICATE_VERIFY_FAILED"), bad.body());
  }

  @Test
  void clientCertificateRequiredByTheServer() throws Exception {
    HttpResponse<String> r = get("/mtls/x");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("HTTP_1_1 sni=null client=CN=localhost path=/mtls/x", r.body());
    HttpResponse<String> none = get("/nocert/x");
    assertEquals(503, none.statusCode(), none.body());
    // refused in the handshake, or (TLS 1.3) by the server's alert right after it
    assertTrue(
        none.body().contains("transport failure reason: TLS error: ")
            || none.body().endsWith("reset reason: remote reset")
            || none.body().endsWith("reset reason: connection termination"),
        none.body());
  }

  @Test
  void tcpProxyToTlsCluster() throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.port(1))) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(
          "GET /tcp HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertTrue(response.endsWith("HTTP_1_1 sni=backend.example client=none path=/tcp"), response);
    }
  }

  private static String error(String tls) {
    String yaml =
        """
        static_resources:
          clusters:
            - name: up
              transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        %s
              load_assignment:
                cluster_name: up
                endpoints:
                  - lb_endpoints:
                      - endpoint:
                          address:
                            socket_address: { address: 127.0.0.1, port_value: 1 }
        """
            .formatted(tls.indent(10).stripTrailing());
    return assertThrows(ConfigException.class, () -> EnvoyBootstrap.parse(yaml, ROOT)).getMessage();
  }

  @Test
  void yamlErrorsInWords() {
    String tp = "static_resources.clusters[0].transport_socket.typed_config";
    String vp = tp + ".common_tls_context.validation_context";
    String ca =
        "common_tls_context:\n  validation_context:\n    trusted_ca: { filename: "
            + server.resolve("cert.pem")
            + " }\n";
    String unknown = error("sni: a\nauto_sni: true\n");
    assertTrue(unknown.startsWith(tp + ".auto_sni: unknown field"), unknown);
    String notPem =
        error("common_tls_context:\n  validation_context:\n    trusted_ca: { inline_string: x }\n");
    assertTrue(notPem.startsWith(vp + ".trusted_ca: not PEM certificates"), notPem);
    String missing =
        error(
            "common_tls_context:\n  validation_context:\n"
                + "    trusted_ca: { filename: /nonexistent/ca.pem }\n");
    assertTrue(missing.startsWith(vp + ".trusted_ca.filename: cannot read"), missing);
    String noCa = error("common_tls_context:\n  validation_context: {}\n");
    assertTrue(noCa.startsWith(vp + ".trusted_ca: required"), noCa);
    String alpn = error("common_tls_context:\n  alpn_protocols: [h3]\n");
    assertTrue(
        alpn.startsWith(tp + ".common_tls_context.alpn_protocols[0]: h3 is not h2 or http/1.1"),
        alpn);
    String regex =
        error(
            ca
                + "    match_typed_subject_alt_names:\n"
                + "      - san_type: DNS\n        matcher: { safe_regex: { regex: x } }\n");
    assertTrue(
        regex.startsWith(
            vp + ".match_typed_subject_alt_names[0].matcher.safe_regex: unknown field"),
        regex);
    String otherName =
        error(
            ca
                + "    match_typed_subject_alt_names:\n"
                + "      - san_type: OTHER_NAME\n        matcher: { exact: x }\n");
    assertTrue(
        otherName.startsWith(
            vp + ".match_typed_subject_alt_names[0].san_type: OTHER_NAME is not supported"),
        otherName);
    String twoKinds = error(ca + "    match_subject_alt_names: [ { exact: a, prefix: b } ]\n");
    assertTrue(
        twoKinds.startsWith(
            vp + ".match_subject_alt_names[0]: exactly one of exact, prefix, suffix, contains"),
        twoKinds);
  }
}

package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemTrustOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clusters with an UpstreamTlsContext, over real sockets: Vert.x TLS servers as upstreams (one
 * asking for a client certificate), certificates made with keytool, the gateway in front.
 */
class UpstreamTlsTest {
  /** The upstream properties of a TLS connection the plugin reads in the response phase. */
  static final List<String> TLS_FIELDS =
      List.of(
          "tls_version",
          "subject_peer_certificate",
          "subject_local_certificate",
          "dns_san_peer_certificate",
          "uri_san_peer_certificate",
          "dns_san_local_certificate",
          "uri_san_local_certificate",
          "sha256_peer_certificate_digest",
          "local_address",
          "transport_failure_reason");

  /**
   * Copies upstream.* properties into response headers {@code x-up-<field>} (numbers in decimal)
   * when the response headers pass, so that the client sees what a plugin reads there.
   */
  static final class UpstreamProps implements JavaPlugin {
    @Override
    public String name() {
      return "upstream-props";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            @Override
            public Action onResponseHeaders(int headers, boolean endOfStream) {
              for (String f : TLS_FIELDS) {
                propertyString("upstream", f).ifPresent(v -> responseHeaders().add("x-up-" + f, v));
              }
              for (String f : List.of("request_attempt_count", "num_endpoints", "port")) {
                property("upstream", f)
                    .ifPresent(
                        v ->
                            responseHeaders()
                                .add(
                                    "x-up-" + f,
                                    Long.toString(
                                        ByteBuffer.wrap(v)
                                            .order(ByteOrder.LITTLE_ENDIAN)
                                            .getLong())));
              }
              return Action.CONTINUE;
            }
          };
        }
      };
    }
  }

  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  @TempDir static Path dir;
  private HttpServer upstream;
  private HttpServer mtlsUpstream;
  private HttpServer http11Upstream;
  private TlsProbe probe;
  private Gateway gateway;
  private static Path server;
  private static Path other;
  private static Path client;

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
    return gw.http(o, UpstreamTlsTest::answer);
  }

  private static String cluster(String name, String extra, String tls, int port) {
    return cluster(name, extra, tls, "127.0.0.1", port);
  }

  private static String cluster(String name, String extra, String tls, String host, int port) {
    return Specs.cluster(
        name, "connect_timeout: 2s\n" + extra + "\n" + Specs.upstreamTls(tls), host, port);
  }

  /** The typed HTTP protocol options of a cluster. */
  private static String options(String body) {
    return "typed_extension_protocol_options:\n"
        + "  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:\n"
        + "    \"@type\": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions\n"
        + body.indent(4);
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
    String http11 = "explicit_http_config: { http_protocol_options: {} }\n";
    return cluster("h1", "", "sni: backend.example\n" + trusted(server), up)
        + cluster("h2", "http2_protocol_options: {}", trusted(server), up)
        + cluster("auto", options("auto_config: {}\n"), trusted(server), up)
        + cluster("alpn", "", trusted(server) + "  alpn_protocols: [h2, http/1.1]\n", probe.port())
        + cluster("plain11", "", trusted(server), probe.port())
        + cluster(
            "h2to11", "http2_protocol_options: {}", trusted(server), http11Upstream.actualPort())
        + cluster("dns", "type: STRICT_DNS", trusted(server), "backend.example", up)
        + cluster(
            "autosni",
            "type: STRICT_DNS\n"
                + options(http11 + "upstream_http_protocol_options: { auto_sni: true }\n"),
            trusted(server),
            "backend.example",
            up)
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

  /** The certificates, made once for the class (keytool is slow on a loaded machine). */
  @BeforeAll
  static void certificates() throws Exception {
    server = Files.createDirectory(dir.resolve("server"));
    other = Files.createDirectory(dir.resolve("other"));
    client = Files.createDirectory(dir.resolve("client"));
    Certificates.create(server, "ip:127.0.0.1,dns:localhost,uri:spiffe://example.org/backend");
    Certificates.create(other);
    Certificates.create(client);
  }

  @BeforeEach
  void start() throws Exception {
    upstream = listen(Certificates.server(server));
    // a server without ALPN: a client that offers only h2 gets no protocol selected
    http11Upstream = listen(Certificates.server(server).setUseAlpn(false));
    probe = gw.closeLater(new TlsProbe(server));
    mtlsUpstream =
        listen(
            Certificates.server(server)
                .setClientAuth(ClientAuth.REQUIRED)
                .setTrustOptions(
                    new PemTrustOptions().addCertPath(client.resolve("cert.pem").toString())));
    StringBuilder routes = new StringBuilder();
    for (String c :
        new String[] {
          "h1",
          "h2",
          "auto",
          "alpn",
          "plain11",
          "h2to11",
          "dns",
          "autosni",
          "untrusted",
          "unverified",
          "sanok",
          "sanbad",
          "mtls",
          "nocert"
        }) {
      routes.append(Specs.route("/" + c + "/", c));
    }
    String yaml =
        Specs.staticResources(
            Specs.httpListener(
                    "http", "http", "", "", routes.toString(), Specs.javaFilter("upstream-props"))
                + Specs.tcpListener("tcp", "", "tcp", "h1", ""),
            clusters());
    gateway =
        gw.start(
            Gateway.builder(Specs.parse(yaml))
                .offer("upstream-props", new UpstreamProps())
                // DNS clusters' endpoint backend.example is this machine
                .hosts("127.0.0.1 localhost backend.example\n")
                .concurrency(1));
  }

  private HttpResponse<String> get(String path) throws Exception {
    HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return Http.send(c, Http.request(gateway.port(0), path));
  }

  @Test
  void http11OverTlsWithTrustedCaAndSni() throws Exception {
    HttpResponse<String> r = get("/h1/x");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("HTTP_1_1 sni=backend.example client=none path=/h1/x", r.body());
  }

  @Test
  void http2ClusterAndAutoConfigByAlpn() throws Exception {
    HttpResponse<String> r = get("/h2/x");
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().startsWith("HTTP_2 "), r.body());
    // no sni configured: no name is sent
    assertTrue(r.body().contains(" sni=null "), r.body());
    // auto_config: the protocol the server selects from h2 and http/1.1
    HttpResponse<String> a = get("/auto/x");
    assertEquals(200, a.statusCode(), a.body());
    assertTrue(a.body().startsWith("HTTP_2 "), a.body());
  }

  @Test
  void anHttp11ClusterSpeaksHttp11WhateverAlpnSelects() throws Exception {
    // alpn_protocols offers h2 first and the server selects it: Envoy's HTTP/1.1 pool still
    // speaks HTTP/1.1, as the cluster says
    HttpResponse<String> r = get("/alpn/x");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("alpn=h2 offered=[h2, http/1.1] sni=null line=GET /alpn/x HTTP/1.1", r.body());
    // without alpn_protocols the cluster's protocol is offered
    HttpResponse<String> p = get("/plain11/x");
    assertEquals(200, p.statusCode(), p.body());
    assertEquals(
        "alpn=http/1.1 offered=[http/1.1] sni=null line=GET /plain11/x HTTP/1.1", p.body());
  }

  @Test
  void anHttp2ClusterWhoseServerSelectsHttp11FailsAsAProtocolError() throws Exception {
    // no protocol selected by ALPN: Envoy's HTTP/2 pool speaks HTTP/2 all the same, which this
    // HTTP/1.1 server does not understand
    HttpResponse<String> r = get("/h2to11/x");
    assertEquals(503, r.statusCode(), r.body());
    assertEquals(
        "upstream connect error or disconnect/reset before headers. reset reason: protocol error",
        r.body());
  }

  @Test
  void noSniForADnsEndpointWithoutSni() throws Exception {
    // the endpoint's host name is backend.example: Envoy sends no SNI name all the same
    HttpResponse<String> r = get("/dns/x");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("HTTP_1_1 sni=null client=none path=/dns/x", r.body());
  }

  /** A GET through the gateway with a Host header of the test's choosing. */
  private String getWithHost(String path, String host) throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.port(0))) {
      s.setSoTimeout(20_000);
      s.getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nhost: " + host + "\r\nconnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
  }

  @Test
  void autoSniSendsTheRequestsHost() throws Exception {
    assertEquals(
        "HTTP_1_1 sni=www.example.org client=none path=/autosni/x",
        getWithHost("/autosni/x", "www.example.org:8443"));
    assertEquals(
        "HTTP_1_1 sni=api.example.org client=none path=/autosni/y",
        getWithHost("/autosni/y", "api.example.org"));
    // an IP address is no SNI name
    assertEquals(
        "HTTP_1_1 sni=null client=none path=/autosni/z", getWithHost("/autosni/z", "127.0.0.1:80"));
  }

  @Test
  void upstreamTlsPropertiesInTheResponsePhase() throws Exception {
    HttpResponse<String> r = get("/h1/x");
    assertEquals(200, r.statusCode(), r.body());
    var h = r.headers();
    assertTrue(h.firstValue("x-up-tls_version").orElse("").matches("TLSv1\\.[23]"), h.toString());
    assertEquals("CN=localhost", h.firstValue("x-up-subject_peer_certificate").orElse(null));
    // no client certificate: an empty subject, no names
    assertEquals("", h.firstValue("x-up-subject_local_certificate").orElse(null));
    assertEquals("localhost", h.firstValue("x-up-dns_san_peer_certificate").orElse(null));
    assertEquals(
        "spiffe://example.org/backend", h.firstValue("x-up-uri_san_peer_certificate").orElse(null));
    assertTrue(h.firstValue("x-up-dns_san_local_certificate").isEmpty(), h.toString());
    assertTrue(h.firstValue("x-up-uri_san_local_certificate").isEmpty(), h.toString());
    assertEquals(
        sha256(server.resolve("cert.pem")),
        h.firstValue("x-up-sha256_peer_certificate_digest").orElse(null));
    assertTrue(
        h.firstValue("x-up-local_address").orElse("").matches("127\\.0\\.0\\.1:[0-9]+"),
        h.toString());
    assertEquals("", h.firstValue("x-up-transport_failure_reason").orElse(null));
    assertEquals("1", h.firstValue("x-up-request_attempt_count").orElse(null));
    assertEquals("1", h.firstValue("x-up-num_endpoints").orElse(null));
    assertEquals(Integer.toString(upstream.actualPort()), h.firstValue("x-up-port").orElse(null));

    // HTTP/2, and the client certificate's subject
    HttpResponse<String> h2 = get("/h2/x");
    assertEquals("CN=localhost", h2.headers().firstValue("x-up-subject_peer_certificate").get());
    HttpResponse<String> m = get("/mtls/x");
    assertEquals(200, m.statusCode(), m.body());
    assertEquals(
        "CN=localhost", m.headers().firstValue("x-up-subject_local_certificate").orElse(null));
    assertEquals(
        "localhost", m.headers().firstValue("x-up-dns_san_local_certificate").orElse(null));

    // a failed handshake: no session, and why in transport_failure_reason
    HttpResponse<String> bad = get("/untrusted/x");
    assertEquals(503, bad.statusCode(), bad.body());
    assertTrue(bad.headers().firstValue("x-up-tls_version").isEmpty(), bad.headers().toString());
    assertEquals(
        "TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED",
        bad.headers().firstValue("x-up-transport_failure_reason").orElse(null));
  }

  /** The SHA-256 digest of a PEM certificate's DER bytes, in lower case hex. */
  static String sha256(Path pem) throws Exception {
    X509Certificate c;
    try (InputStream in = Files.newInputStream(pem)) {
      c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
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

  /** A bootstrap of one cluster with this UpstreamTlsContext. */
  private static String tlsCluster(String tls) {
    return Specs.staticResources("", Specs.cluster("up", Specs.upstreamTls(tls), "127.0.0.1", 1));
  }

  /** A bootstrap of one cluster with these HTTP protocol options, with or without TLS. */
  private static String optionsCluster(String options, boolean tls) {
    return Specs.staticResources(
        "",
        Specs.cluster("up", options(options) + (tls ? Specs.upstreamTls("") : ""), "127.0.0.1", 1));
  }

  @Test
  void protocolOptionErrorsInWords() {
    String op =
        "static_resources.clusters[0].typed_extension_protocol_options."
            + "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
    String oneOf = op + ": exactly one of explicit_http_config and auto_config is required";
    Specs.assertRefusals(
        optionsCluster("auto_config: {}\n", false),
        op + ".auto_config: needs a TLS transport_socket, since ALPN picks",
        optionsCluster(
            "auto_config: {}\nexplicit_http_config: { http_protocol_options: {} }\n", true),
        oneOf,
        optionsCluster("upstream_http_protocol_options: { auto_sni: true }\n", true),
        oneOf,
        optionsCluster(
            "auto_config: {}\n"
                + "upstream_http_protocol_options: { auto_sni: true, auto_san_validation: true }\n",
            true),
        op + ".upstream_http_protocol_options.auto_san_validation: unknown field",
        optionsCluster("auto_config: { http3_protocol_options: {} }\n", true),
        op + ".auto_config.http3_protocol_options: unknown field");
  }

  @Test
  void yamlErrorsInWords() {
    String tp = "static_resources.clusters[0].transport_socket.typed_config";
    String vp = tp + ".common_tls_context.validation_context";
    String ca =
        "common_tls_context:\n  validation_context:\n    trusted_ca: { filename: "
            + server.resolve("cert.pem")
            + " }\n";
    Specs.assertRefusals(
        tlsCluster("sni: a\nauto_sni: true\n"),
        tp + ".auto_sni: unknown field",
        tlsCluster("sni: \"a b\"\n"),
        tp + ".sni: a b is not a host name",
        tlsCluster(
            "common_tls_context:\n  validation_context:\n    trusted_ca: { inline_string: x }\n"),
        vp + ".trusted_ca: not PEM certificates",
        tlsCluster(
            "common_tls_context:\n  validation_context:\n"
                + "    trusted_ca: { filename: /nonexistent/ca.pem }\n"),
        vp + ".trusted_ca.filename: cannot read",
        tlsCluster("common_tls_context:\n  validation_context: {}\n"),
        vp + ".trusted_ca: required",
        tlsCluster("common_tls_context:\n  alpn_protocols: [h3]\n"),
        tp + ".common_tls_context.alpn_protocols[0]: h3 is not h2 or http/1.1",
        tlsCluster(
            ca
                + "    match_typed_subject_alt_names:\n"
                + "      - san_type: DNS\n        matcher: { safe_regex: { regex: x } }\n"),
        vp + ".match_typed_subject_alt_names[0].matcher.safe_regex: unknown field",
        tlsCluster(
            ca
                + "    match_typed_subject_alt_names:\n"
                + "      - san_type: OTHER_NAME\n        matcher: { exact: x }\n"),
        vp + ".match_typed_subject_alt_names[0].san_type: OTHER_NAME is not supported",
        tlsCluster(ca + "    match_subject_alt_names: [ { exact: a, prefix: b } ]\n"),
        vp + ".match_subject_alt_names[0]: exactly one of exact, prefix, suffix, contains");
  }
}

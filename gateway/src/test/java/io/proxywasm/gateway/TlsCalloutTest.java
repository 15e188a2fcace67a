package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.gateway.config.EnvoyBootstrap;
import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.Header;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin's {@code proxy_http_call} and {@code proxy_grpc_call} to clusters reached over TLS with
 * {@code trusted_ca} validation, end to end: Vert.x TLS servers (HTTP/1.1, and HTTP/2 by ALPN for
 * gRPC), the gateway in front, and clusters whose trusted CA is the wrong one, which must fail.
 */
class TlsCalloutTest {
  private static final Path ROOT = Http.repo("");

  /**
   * {@code /http/<cluster>} makes an HTTP callout to the cluster, {@code /grpc/<cluster>} a unary
   * gRPC call; the answer says what came back.
   */
  static final class Caller implements JavaPlugin {
    @Override
    public String name() {
      return "tls-caller";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            @Override
            public Action onRequestHeaders(int headers, boolean endOfStream) {
              String[] path = requestHeaders().get(":path").orElse("/").split("/");
              if (path[1].equals("http")) {
                dispatchHttpCall(
                    path[2],
                    List.of(
                        Header.of(":method", "GET"),
                        Header.of(":path", "/callout"),
                        Header.of(":authority", "backend.example")),
                    new byte[0],
                    List.of(),
                    Duration.ofSeconds(15));
              } else {
                dispatchGrpcCall(
                    path[2],
                    "test.Echo",
                    "Say",
                    List.of(),
                    "hello".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(15));
              }
              return Action.PAUSE;
            }

            @Override
            public void onHttpCallResponse(int token, int headers, int bodySize, int trailers) {
              String status =
                  httpCallResponseHeaders().stream()
                      .filter(h -> h.name().equals(":status"))
                      .map(Header::value)
                      .findFirst()
                      .orElse("none");
              sendLocalResponse(
                  200,
                  List.of(),
                  "status "
                      + status
                      + " "
                      + new String(httpCallResponseBody(), StandardCharsets.UTF_8));
            }

            // a unary call's success is its message alone (no close follows), as in Envoy
            @Override
            public void onGrpcReceive(int token, int size) {
              sendLocalResponse(
                  200,
                  List.of(),
                  "grpc-status 0 " + new String(grpcMessage(), StandardCharsets.UTF_8));
            }

            @Override
            public void onGrpcClose(int token, int statusCode) {
              sendLocalResponse(200, List.of(), "grpc-status " + statusCode + " ");
            }
          };
        }
      };
    }
  }

  @TempDir Path dir;
  private Vertx vertx;
  private HttpServer http;
  private HttpServer grpc;
  private Gateway gateway;

  /** Answers a callout with its protocol, the SNI name and whether it came over TLS. */
  private static void answerHttp(HttpServerRequest req) {
    req.response()
        .end(
            req.version()
                + " tls="
                + req.isSSL()
                + " sni="
                + req.connection().indicatedServerName()
                + " host="
                + req.authority());
  }

  /** Answers test.Echo/Say with "echo <message> <protocol> tls=<...>" in gRPC framing. */
  private static void answerGrpc(HttpServerRequest req) {
    req.body()
        .onSuccess(
            b -> {
              byte[] out =
                  ("echo "
                          + b.getString(5, b.length())
                          + " "
                          + req.version()
                          + " tls="
                          + req.isSSL()
                          + " path="
                          + req.path())
                      .getBytes(StandardCharsets.UTF_8);
              req.response()
                  .putHeader("content-type", "application/grpc")
                  .putTrailer("grpc-status", "0")
                  .end(Buffer.buffer().appendByte((byte) 0).appendInt(out.length).appendBytes(out));
            });
  }

  private HttpServer listen(Path certDir, boolean h2, io.vertx.core.Handler<HttpServerRequest> h)
      throws Exception {
    HttpServerOptions o =
        new HttpServerOptions()
            .setSsl(true)
            .setSni(true)
            .setUseAlpn(true)
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertPath(certDir.resolve("cert.pem").toString())
                    .setKeyPath(certDir.resolve("key.pem").toString()));
    if (!h2) {
      o.setAlpnVersions(List.of(io.vertx.core.http.HttpVersion.HTTP_1_1));
    }
    return vertx
        .createHttpServer(o)
        .requestHandler(h)
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private static String cluster(String name, String extra, Path ca, int port) {
    return """
            - name: %s
              connect_timeout: 2s
              %s
              transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
                  common_tls_context:
                    validation_context:
                      trusted_ca: { filename: %s }
              load_assignment:
                cluster_name: %s
                endpoints:
                  - lb_endpoints:
                      - endpoint:
                          address:
                            socket_address: { address: 127.0.0.1, port_value: %d }
        """
        .formatted(name, extra, ca.resolve("cert.pem"), name, port);
  }

  @BeforeEach
  void start() throws Exception {
    Path server = Files.createDirectory(dir.resolve("server"));
    Path other = Files.createDirectory(dir.resolve("other"));
    Http2Test.certificate(server);
    Http2Test.certificate(other);
    vertx = Vertx.vertx();
    http = listen(server, false, TlsCalloutTest::answerHttp);
    grpc = listen(server, true, TlsCalloutTest::answerGrpc);
    String filter =
        """
                      - name: envoy.filters.http.wasm
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
                          config:
                            vm_config:
                              runtime: envoy.wasm.runtime.null
                              code: { local: { inline_string: tls-caller } }
        """;
    String h2 = "http2_protocol_options: {}";
    String yaml =
        EnvoyBootstrapTest.yaml(filter, "")
            + cluster("web", "", server, http.actualPort())
            + cluster("webwrongca", "", other, http.actualPort())
            + cluster("grpc", h2, server, grpc.actualPort())
            + cluster("grpcwrongca", h2, other, grpc.actualPort());
    gateway =
        Gateway.builder(EnvoyBootstrap.parse(yaml, ROOT))
            .offer("tls-caller", new Caller())
            .concurrency(1)
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.shutdown(Duration.ofSeconds(1));
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void httpCalloutOverTlsWithTrustedCa() throws Exception {
    HttpResponse<String> ok = Http.get(gateway.port(0), "/http/web");
    assertEquals(200, ok.statusCode(), ok.body());
    // the callout's :authority is the Host; no sni configured, so none is sent
    assertEquals("status 200 HTTP_1_1 tls=true sni=null host=backend.example", ok.body());
    // a server whose certificate the trusted CA did not sign: the callout fails (no headers)
    HttpResponse<String> bad = Http.get(gateway.port(0), "/http/webwrongca");
    assertEquals("status none ", bad.body());
  }

  @Test
  void grpcCallOverTlsWithTrustedCa() throws Exception {
    HttpResponse<String> ok = Http.get(gateway.port(0), "/grpc/grpc");
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("grpc-status 0 echo hello HTTP_2 tls=true path=/test.Echo/Say", ok.body());
    // the handshake fails: UNAVAILABLE (14)
    HttpResponse<String> bad = Http.get(gateway.port(0), "/grpc/grpcwrongca");
    assertTrue(bad.body().startsWith("grpc-status 14"), bad.body());
  }
}

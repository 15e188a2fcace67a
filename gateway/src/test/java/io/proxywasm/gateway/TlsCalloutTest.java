package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.Header;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin's {@code proxy_http_call} and {@code proxy_grpc_call} to clusters reached over TLS with
 * {@code trusted_ca} validation, end to end: Vert.x TLS servers (HTTP/1.1, and HTTP/2 by ALPN for
 * gRPC), the gateway in front, and clusters whose trusted CA is the wrong one, which must fail.
 */
class TlsCalloutTest {
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
  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
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
              String out =
                  "echo "
                      + b.getString(5, b.length())
                      + " "
                      + req.version()
                      + " tls="
                      + req.isSSL()
                      + " path="
                      + req.path();
              req.response()
                  .putHeader("content-type", "application/grpc")
                  .putTrailer("grpc-status", "0")
                  .end(GrpcUpstream.frame(out));
            });
  }

  private HttpServer listen(Path certDir, boolean h2, Handler<HttpServerRequest> h)
      throws Exception {
    HttpServerOptions o = Certificates.server(certDir);
    if (!h2) {
      o.setAlpnVersions(List.of(io.vertx.core.http.HttpVersion.HTTP_1_1));
    }
    return gw.http(o, h);
  }

  private static String cluster(String name, String extra, Path ca, int port) {
    String trusted =
        "common_tls_context:\n  validation_context:\n    trusted_ca: { filename: "
            + ca.resolve("cert.pem")
            + " }\n";
    return Specs.cluster(
        name,
        "connect_timeout: 2s\n" + extra + "\n" + Specs.upstreamTls(trusted),
        "127.0.0.1",
        port);
  }

  @BeforeEach
  void start() throws Exception {
    Path server = Files.createDirectory(dir.resolve("server"));
    Path other = Files.createDirectory(dir.resolve("other"));
    Certificates.create(server);
    Certificates.create(other);
    http = listen(server, false, TlsCalloutTest::answerHttp);
    grpc = listen(server, true, TlsCalloutTest::answerGrpc);
    String filter = Specs.javaFilter("tls-caller");
    String h2 = "http2_protocol_options: {}";
    String yaml =
        Specs.bootstrap(
            filter,
            "",
            cluster("web", "", server, http.actualPort()),
            cluster("webwrongca", "", other, http.actualPort()),
            cluster("grpc", h2, server, grpc.actualPort()),
            cluster("grpcwrongca", h2, other, grpc.actualPort()));
    gateway =
        gw.start(
            Gateway.builder(Specs.parse(yaml)).offer("tls-caller", new Caller()).concurrency(1));
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

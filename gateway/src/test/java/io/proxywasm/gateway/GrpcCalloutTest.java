package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * proxy_grpc_call to a configured HTTP/2 cluster: gRPC framing over the cluster's client, messages
 * and status back to the plugin, the call's timeout.
 */
class GrpcCalloutTest {
  /** Calls test.Echo/<first path segment> with the path as the message; answers what came back. */
  static final class GrpcCaller implements JavaPlugin {
    @Override
    public String name() {
      return "grpc-caller";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            @Override
            public Action onRequestHeaders(int headers, boolean endOfStream) {
              String path = requestHeaders().get(":path").orElse("/");
              String method = path.substring(1, path.indexOf('/', 1));
              dispatchGrpcCall(
                  switch (method) {
                    // a serialized GrpcService: cluster grpc, answers of at most 10 bytes
                    case "Small" -> service("grpc", 10);
                    case "Roomy" -> service("grpc", 100);
                    default -> "grpc";
                  },
                  "test.Echo",
                  method,
                  List.of(),
                  path.getBytes(StandardCharsets.UTF_8),
                  // the slow method never answers: a short deadline; the others get time to
                  // answer on a loaded machine
                  method.equals("Slow") ? Duration.ofMillis(300) : Duration.ofSeconds(10));
              return Action.PAUSE;
            }

            // a unary call's success is its message alone (no close follows), as in Envoy
            @Override
            public void onGrpcReceive(int token, int size) {
              sendLocalResponse(
                  200, List.of(), "status 0 " + new String(grpcMessage(), StandardCharsets.UTF_8));
            }

            @Override
            public void onGrpcClose(int token, int statusCode) {
              sendLocalResponse(200, List.of(), "status " + statusCode + " ");
            }
          };
        }
      };
    }
  }

  /**
   * A GrpcService with envoy_grpc's cluster_name and max_receive_message_length in protocol
   * buffers' wire format, as text (every byte is below 0x80 for short names and small limits).
   */
  static String service(String cluster, int max) {
    byte[] name = cluster.getBytes(StandardCharsets.US_ASCII);
    // EnvoyGrpc: cluster_name = 1, max_receive_message_length = 4 (a UInt32Value, value = 1)
    ByteArrayOutputStream envoy = new ByteArrayOutputStream();
    envoy.write(0x0a);
    envoy.write(name.length);
    envoy.writeBytes(name);
    ByteArrayOutputStream value = new ByteArrayOutputStream();
    value.write(0x08);
    for (int v = max; ; v >>>= 7) {
      if (v < 0x80) {
        value.write(v);
        break;
      }
      value.write((v & 0x7f) | 0x80);
    }
    envoy.write(0x22);
    envoy.write(value.size());
    envoy.writeBytes(value.toByteArray());
    // GrpcService: envoy_grpc = 1
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x0a);
    out.write(envoy.size());
    out.writeBytes(envoy.toByteArray());
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  private HttpServer grpc;
  private Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    grpc =
        GrpcUpstream.start(
            gw,
            req ->
                req.body()
                    .onSuccess(
                        b -> {
                          if (req.path().equals("/test.Echo/Slow")) {
                            return; // never answers
                          }
                          var resp = req.response().putHeader("content-type", "application/grpc");
                          if (req.path().equals("/test.Echo/Missing")) {
                            resp.putHeader("grpc-status", "5")
                                .putHeader("grpc-message", "nope")
                                .end();
                            return;
                          }
                          String msg = b.getString(5, b.length());
                          resp.putTrailer("grpc-status", "0");
                          resp.end(GrpcUpstream.frame("echo " + msg + " " + req.version()));
                        }));
    String filter = Specs.javaFilter("grpc-caller");
    String yaml = Specs.bootstrap(filter, "", Specs.http2Cluster("grpc", grpc.actualPort()));
    gateway =
        gw.start(
            Gateway.builder(Specs.parse(yaml))
                .offer("grpc-caller", new GrpcCaller())
                .concurrency(1));
  }

  @Test
  void aUnaryCallReachesTheClusterAndItsAnswerThePlugin() throws Exception {
    int port = gateway.port(0);
    HttpResponse<String> ok = Http.get(port, "/Say/hi");
    assertEquals(200, ok.statusCode());
    assertEquals("status 0 echo /Say/hi HTTP_2", ok.body());
    // a trailers-only answer: the status from the headers
    assertEquals("status 5 ", Http.get(port, "/Missing/x").body());
    // no answer within the call's timeout: DEADLINE_EXCEEDED
    assertEquals("status 4 ", Http.get(port, "/Slow/x").body());
  }

  @Test
  void aGrpcServiceLimitsTheMessagesReceived() throws Exception {
    int port = gateway.port(0);
    // "echo /Roomy/x HTTP_2" fits in 100 bytes
    assertEquals("status 0 echo /Roomy/x HTTP_2", Http.get(port, "/Roomy/x").body());
    // "echo /Small/x HTTP_2" is 20 bytes: RESOURCE_EXHAUSTED, as Envoy's gRPC client
    assertEquals("status 8 ", Http.get(port, "/Small/x").body());
  }
}

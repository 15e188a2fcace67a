package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Rust SDK's gRPC callouts ({@code plugins/rust/grpc_callouts}, built by the real SDK) through
 * the gateway to a real HTTP/2 gRPC server. The SDK panics on a metadata callback or a second
 * outcome for a unary call's token, so these pass only if the gateway and host deliver calls as
 * Envoy does; its streams get every event.
 */
class RustSdkGrpcTest {
  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  private HttpServer grpc;
  private Gateway gateway;

  /** Echoes each whole message of the request (messages fit in one read here). */
  private static void serve(HttpServerRequest req) {
    String method = req.path().substring(req.path().lastIndexOf('/') + 1);
    HttpServerResponse resp =
        req.response().putHeader("content-type", "application/grpc").putHeader("x-server", method);
    switch (method) {
      case "Missing" -> {
        req.handler(b -> {});
        resp.putHeader("grpc-status", "5").putHeader("grpc-message", "no such method").end();
      }
      case "Busy" -> {
        req.handler(b -> {});
        resp.setStatusCode(503).end("overloaded");
      }
      default -> {
        Buffer[] body = {Buffer.buffer()};
        req.handler(b -> body[0].appendBuffer(b));
        req.endHandler(
            v -> {
              Buffer b = body[0];
              for (int pos = 0; b.length() - pos >= 5; pos += 5 + b.getInt(pos + 1)) {
                resp.write(
                    GrpcUpstream.frame(
                        "echo " + b.getString(pos + 5, pos + 5 + b.getInt(pos + 1))));
              }
              resp.putTrailer("grpc-status", "0").end();
            });
      }
    }
  }

  @BeforeEach
  void start() throws Exception {
    grpc = GrpcUpstream.start(gw, RustSdkGrpcTest::serve);
    String filter = Specs.wasmFileFilter("rust-grpc-callouts.wasm");
    String yaml = Specs.bootstrap(filter, "", Specs.http2Cluster("grpc", grpc.actualPort()));
    gateway = gw.start(Gateway.builder(Specs.parse(yaml)).concurrency(1));
  }

  private String get(String path) throws Exception {
    return Http.okBody(gateway.port(0), path);
  }

  @Test
  void aUnaryCallEndsOnceWithItsAnswerOrItsFailure() throws Exception {
    assertEquals("call 0 echo /call/Say", get("/call/Say"));
    // trailers-only: the status and message of the answer's headers
    assertEquals("call 5 no such method", get("/call/Missing"));
    // not HTTP 200: CANCELLED, as Envoy's gRPC client
    assertEquals("call 1 ", get("/call/Busy"));
    // the plugin is still alive: no panic on any of the above
    assertEquals("call 0 echo /call/Again", get("/call/Again"));
  }

  @Test
  void aStreamGetsEveryEvent() throws Exception {
    assertEquals("init Chat | msg echo /stream/Chat | trail 0 | close 0 ", get("/stream/Chat"));
  }
}

package io.proxywasm.gateway;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** A gRPC server for the gateway's tests: h2c on a loopback port, and a cluster that reaches it. */
final class GrpcUpstream {
  private GrpcUpstream() {}

  /** Starts a server answering every request with the handler. */
  static HttpServer start(Vertx vertx, Handler<HttpServerRequest> handler) throws Exception {
    return vertx
        .createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
        .requestHandler(handler)
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  /** An HTTP/2 cluster's YAML, to follow {@link EnvoyBootstrapTest#yaml}'s clusters. */
  static String cluster(String name, int port) {
    return """
            - name: %s
              connect_timeout: 1s
              http2_protocol_options: {}
              load_assignment:
                cluster_name: %s
                endpoints:
                  - lb_endpoints:
                      - endpoint:
                          address:
                            socket_address: { address: 127.0.0.1, port_value: %d }
        """
        .formatted(name, name, port);
  }

  /** One message in gRPC framing: no compression flag, the length, the bytes. */
  static Buffer frame(String message) {
    byte[] b = message.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer().appendByte((byte) 0).appendInt(b.length).appendBytes(b);
  }
}

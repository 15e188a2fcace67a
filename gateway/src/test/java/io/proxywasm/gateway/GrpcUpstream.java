package io.proxywasm.gateway;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;

/**
 * A gRPC server for the gateway's tests: h2c on a loopback port (a {@link Specs#http2Cluster}
 * reaches it).
 */
final class GrpcUpstream {
  private GrpcUpstream() {}

  /** Starts a server answering every request with the handler. */
  static HttpServer start(GatewayFixture gw, Handler<HttpServerRequest> handler) throws Exception {
    return gw.http(new HttpServerOptions().setHttp2ClearTextEnabled(true), handler);
  }

  /** One message in gRPC framing: no compression flag, the length, the bytes. */
  static Buffer frame(String message) {
    byte[] b = message.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer().appendByte((byte) 0).appendInt(b.length).appendBytes(b);
  }
}

package io.proxywasm.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The upstream of flags mode without {@code --upstream}: answers 200 with the request it got as
 * JSON (method, path, headers in order, body as text), so that what a plugin changed can be seen.
 */
final class EchoUpstream {
  /** Bodies longer than this are counted, not echoed. */
  static final int MAX_ECHOED_BODY = 1 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;

  private EchoUpstream(HttpServer server) {
    this.server = server;
  }

  static Future<EchoUpstream> start(Vertx vertx) {
    HttpServer server = vertx.createHttpServer();
    server.requestHandler(
        req -> {
          ObjectNode out = JSON.createObjectNode();
          out.put("method", req.method().name());
          out.put("path", req.uri());
          ArrayNode headers = out.putArray("headers");
          for (Map.Entry<String, String> e : req.headers()) {
            headers.addArray().add(Headers.lower(e.getKey())).add(e.getValue());
          }
          Buffer body = Buffer.buffer();
          long[] size = {0};
          req.handler(
              b -> {
                size[0] += b.length();
                if (body.length() < MAX_ECHOED_BODY) {
                  body.appendBuffer(b, 0, Math.min(b.length(), MAX_ECHOED_BODY - body.length()));
                }
              });
          req.endHandler(
              v -> {
                out.put("body", body.toString(StandardCharsets.UTF_8));
                out.put("body_size", size[0]);
                byte[] json;
                try {
                  json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(out);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                  req.response().setStatusCode(500).end();
                  return;
                }
                req.response()
                    .putHeader("content-type", "application/json")
                    .end(Buffer.buffer(json).appendString("\n"));
              });
        });
    return server.listen(0, "127.0.0.1").map(EchoUpstream::new);
  }

  int port() {
    return server.actualPort();
  }
}

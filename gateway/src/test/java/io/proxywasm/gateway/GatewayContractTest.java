package io.proxywasm.gateway;

import io.proxywasm.host.Plugin;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.spi.Header;
import io.proxywasm.testkit.EmbedderContract;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The gateway passes the test kit's contract for embedders, over real sockets. */
class GatewayContractTest extends EmbedderContract {
  /** Headers the JDK client refuses to set. */
  private static final Set<String> RESTRICTED = Set.of("host", "connection", "content-length");

  @Override
  protected Gateway gateway(ProxyWasmHost host, Plugin plugin) throws Exception {
    Vertx vertx = Vertx.vertx();
    Upstream[] current = new Upstream[1];
    HttpServer server = vertx.createHttpServer();
    server.requestHandler(
        req ->
            req.body()
                .onSuccess(
                    body -> {
                      List<Header> headers = new ArrayList<>();
                      headers.add(Header.of(":method", req.method().name()));
                      headers.add(Header.of(":path", req.uri()));
                      req.headers()
                          .forEach(
                              e -> headers.add(Header.of(e.getKey().toLowerCase(), e.getValue())));
                      UpstreamResponse r =
                          current[0].handle(new UpstreamRequest(headers, body.getBytes()));
                      req.response().setStatusCode(r.status());
                      r.headers()
                          .forEach(e -> req.response().headers().add(e.getKey(), e.getValue()));
                      req.response().end(Buffer.buffer(r.body()));
                    }));
    server
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    io.proxywasm.gateway.Gateway g =
        io.proxywasm.gateway.Gateway.builder(
                Specs.oneRoute(null, server.actualPort(), Duration.ofSeconds(15)))
            .external(host, plugin)
            .concurrency(1)
            .start();
    return new Gateway() {
      @Override
      public ClientResponse send(ClientRequest request, Upstream upstream) throws Exception {
        current[0] = upstream;
        HttpRequest.Builder b =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port(0) + request.path()))
                .timeout(Duration.ofSeconds(20))
                .method(
                    request.method(),
                    request.body().length == 0
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        for (Header h : request.headers()) {
          if (!RESTRICTED.contains(h.name().toLowerCase())) {
            b.header(h.name(), h.value());
          }
        }
        HttpResponse<byte[]> r =
            Http.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        List<Header> headers = new ArrayList<>();
        r.headers().map().forEach((k, vs) -> vs.forEach(v -> headers.add(Header.of(k, v))));
        return new ClientResponse(r.statusCode(), headers, r.body());
      }

      @Override
      public void close() {
        g.shutdown(Duration.ofSeconds(1));
        vertx.close();
      }
    };
  }
}

package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.spi.MetricType;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The route's timeout: an upstream that does not answer in time gets Envoy's 504. */
class RouteTimeoutTest {
  private Vertx upstreamVertx;
  private Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    HttpServer upstream = upstreamVertx.createHttpServer();
    upstream.requestHandler(
        req -> {
          if (!req.path().equals("/slow")) {
            req.response().end("timeout " + req.headers().get("x-envoy-expected-rq-timeout-ms"));
          }
          // /slow never answers
        });
    upstream
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    gateway =
        Gateway.builder(Specs.oneRoute(null, upstream.actualPort(), Duration.ofSeconds(2)))
            .concurrency(1)
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    gateway.shutdown(Duration.ofSeconds(1));
    upstreamVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void anUpstreamThatDoesNotAnswerInTimeGetsA504AndOneThatDoesIsNotCutShort() throws Exception {
    int port = gateway.port(0);
    HttpResponse<String> fast = Http.get(port, "/fast");
    assertEquals(200, fast.statusCode());
    assertEquals("timeout 2000", fast.body());
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> slow = Http.get(port, "/slow");
      assertEquals(504, slow.statusCode(), slow.body());
      assertEquals("upstream request timeout", slow.body());
      assertEquals(200, Http.get(port, "/fast").statusCode());
    }
    assertEquals(
        2, gateway.stats.stat(MetricType.COUNTER, "cluster.up.upstream_rq_timeout").value());
    assertEquals(3, gateway.stats.stat(MetricType.COUNTER, "cluster.up.upstream_rq_2xx").value());
  }
}

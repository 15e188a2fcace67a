package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.spi.MetricType;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The route's timeout: an upstream that does not answer in time gets Envoy's 504. */
class RouteTimeoutTest {
  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  private Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    HttpServer upstream =
        gw.http(
            req -> {
              if (!req.path().equals("/slow")) {
                req.response()
                    .end("timeout " + req.headers().get("x-envoy-expected-rq-timeout-ms"));
              }
              // /slow never answers
            });
    gateway =
        gw.start(
            Gateway.builder(Specs.oneRoute(null, upstream.actualPort(), Duration.ofSeconds(2)))
                .concurrency(1));
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

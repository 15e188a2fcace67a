package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.http.HttpServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A loop's own connections to a plain HTTP/1.1 cluster: a connection the upstream keeps open
 * carries the next request; one it closes (or one a reset ends) is not used again.
 */
class UpstreamPoolTest {
  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  private Gateway gateway;

  /** The client ports of the upstream's connections, as the upstream saw them. */
  private final Set<Integer> connections = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void start() throws Exception {
    HttpServer upstream =
        gw.http(
            req -> {
              connections.add(req.remoteAddress().port());
              String port = Integer.toString(req.remoteAddress().port());
              switch (req.path()) {
                case "/close" -> req.response().putHeader("connection", "close").end(port);
                case "/slow" -> {} // never answers: the route's timeout resets the request
                default -> req.response().end(port);
              }
            });
    gateway =
        gw.start(
            Gateway.builder(Specs.oneRoute(null, upstream.actualPort(), Duration.ofSeconds(1)))
                .concurrency(1));
  }

  @Test
  void aKeptConnectionCarriesTheNextRequestAndAClosedOrResetOneDoesNot() throws Exception {
    int port = gateway.port(0);
    HttpResponse<String> first = Http.get(port, "/a");
    assertEquals(200, first.statusCode());
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> next = Http.get(port, "/a");
      assertEquals(200, next.statusCode());
      assertEquals(first.body(), next.body(), "the same upstream connection");
    }
    assertEquals(1, connections.size());

    // the upstream closes the connection after its answer: the next request opens another
    HttpResponse<String> closing = Http.get(port, "/close");
    assertEquals(200, closing.statusCode());
    assertEquals(first.body(), closing.body());
    HttpResponse<String> afterClose = Http.get(port, "/a");
    assertEquals(200, afterClose.statusCode());
    assertEquals(2, connections.size());

    // a request the route's timeout resets does not hand its connection on
    assertEquals(504, Http.get(port, "/slow").statusCode());
    HttpResponse<String> afterReset = Http.get(port, "/a");
    assertEquals(200, afterReset.statusCode());
    assertEquals(3, connections.size());
    assertEquals(afterReset.body(), Http.get(port, "/a").body());
  }
}

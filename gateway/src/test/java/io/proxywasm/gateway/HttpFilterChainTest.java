package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.gateway.config.EnvoyBootstrap;
import io.proxywasm.gateway.config.GatewaySpec;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several envoy.filters.http.wasm filters in one connection manager run as Envoy chains them: the
 * request passes them in order (a filter that answers locally keeps it from the later ones, a
 * filter that pauses holds it from them until it resumes), the response in reverse order.
 */
class HttpFilterChainTest {
  private static final Path ROOT = Http.repo("");
  private Vertx vertx;
  private HttpServer upstream;
  private HttpServer auth;
  private HttpServer deny;
  private HttpServer silent;
  private final AtomicInteger checks = new AtomicInteger();
  private Gateway gateway;

  private static HttpServer listen(Vertx vertx, HttpServer s) throws Exception {
    return s.listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  static String filter(String name, String wasm) {
    return """
                    - name: envoy.filters.http.wasm
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
                        config:
                          name: %s
                          vm_config:
                            vm_id: %s
                            code: { local: { filename: plugins/wasm/%s } }
        """
        .formatted(name, name, wasm);
  }

  static String cluster(String name, int port) {
    return """
            - name: %s
              connect_timeout: 1s
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

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream =
        listen(
            vertx,
            vertx
                .createHttpServer()
                .requestHandler(
                    req ->
                        req.response()
                            .putHeader("x-proxy-wasm-sdk", "upstream")
                            .end("up " + req.uri())));
    auth =
        listen(
            vertx,
            vertx
                .createHttpServer()
                .requestHandler(
                    req -> {
                      checks.incrementAndGet();
                      req.response().end("ok");
                    }));
    deny =
        listen(
            vertx,
            vertx
                .createHttpServer()
                .requestHandler(req -> req.response().setStatusCode(403).end()));
    // answers no callout: the plugin's 500 ms timeout ends it
    silent = listen(vertx, vertx.createHttpServer().requestHandler(req -> {}));
    String yaml =
        """
        static_resources:
          listeners:
            - name: chain
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
                - filters:
                    - name: envoy.filters.network.http_connection_manager
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        stat_prefix: chain
                        route_config:
                          virtual_hosts:
                            - name: all
                              domains: ["*"]
                              routes:
                                - match: { prefix: "/" }
                                  route: { cluster: up }
                        http_filters:
        %s%s%s%s                  - name: envoy.filters.http.router
          clusters:
        %s%s%s%s"""
            .formatted(
                filter("headers", "c-http-headers.wasm").indent(6),
                filter("callout", "c-callout.wasm").indent(6),
                filter("rust", "rust-http-headers.wasm").indent(6),
                filter("cpp", "cpp-http-headers.wasm").indent(6),
                cluster("up", upstream.actualPort()),
                cluster("auth", auth.actualPort()),
                cluster("deny", deny.actualPort()),
                cluster("silent", silent.actualPort()));
    GatewaySpec spec = EnvoyBootstrap.parse(yaml, ROOT);
    assertEquals(4, spec.listeners().get(0).plugins().size());
    gateway =
        Gateway.builder(spec)
            .reloadFrom(() -> EnvoyBootstrap.parse(yaml, ROOT))
            .concurrency(1)
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    gateway.shutdown(Duration.ofSeconds(1));
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void theRequestPassesTheFiltersInOrderAndTheResponseInReverse() throws Exception {
    int port = gateway.port(0);
    // the first filter answers: the callout filter after it never sees the request
    HttpResponse<String> hello = Http.get(port, "/hello");
    assertEquals(200, hello.statusCode());
    assertEquals("Hello, World!\n", hello.body());
    assertEquals(0, checks.get());

    // the callout plugin gives its callout 500 ms: a first one on a cold, shared machine may take
    // longer, so the connections and code paths are warmed up first
    for (int i = 0; i < 5 && Http.get(port, "/warm").statusCode() != 200; i++) {
      Thread.sleep(100);
    }
    checks.set(0);
    // the callout filter pauses the request; the filters after it see it once it resumes
    HttpResponse<String> r = Http.get(port, "/a?b=c");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("up /a?b=c", r.body());
    assertEquals(1, checks.get());
    // the response passes the C++ filter (last in the chain) first, then the Rust one
    assertEquals(
        List.of("upstream", "cpp", "rust"), r.headers().allValues("x-proxy-wasm-sdk"), "order");

    // a denied callout answers locally: the later filters and the upstream never see it
    HttpResponse<String> denied =
        Http.CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/d"))
                .header("x-upstream", "deny")
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(403, denied.statusCode());
    assertEquals("denied: 403", denied.body());
    assertTrue(denied.headers().allValues("x-proxy-wasm-sdk").isEmpty());

    // a callout to a cluster that does not answer ends at the plugin's timeout with a 504
    HttpResponse<String> late =
        Http.CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/late"))
                .header("x-upstream", "silent")
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(403, late.statusCode());
    assertEquals("denied: 504", late.body());
  }

  @Test
  void theFiltersReloadTogether() throws Exception {
    LivePlugin before = gateway.listeners.get(0).plugin.get();
    String done = gateway.reload();
    assertTrue(done.contains("plugins headers, callout, rust, cpp generation 2"), done);
    LivePlugin after = gateway.listeners.get(0).plugin.get();
    assertEquals(4, after.plugins.size());
    assertEquals(2, after.generation);
    assertTrue(before.isClosed(), "the old generation closed: no stream used it");
    HttpResponse<String> hello = Http.get(gateway.port(0), "/hello");
    assertEquals("Hello, World!\n", hello.body());
  }
}

package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.gateway.config.GatewaySpec;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several envoy.filters.http.wasm filters in one connection manager run as Envoy chains them: the
 * request passes them in order (a filter that answers locally keeps it from the later ones, a
 * filter that pauses holds it from them until it resumes), the response in reverse order.
 */
class HttpFilterChainTest {
  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  private final AtomicInteger checks = new AtomicInteger();
  private Gateway gateway;

  static String filter(String name, String wasm) {
    return Specs.wasmFilter(
        """
        name: %s
        vm_config:
          vm_id: %s
          code: { local: { filename: plugins/wasm/%s } }
        """
            .formatted(name, name, wasm));
  }

  @BeforeEach
  void start() throws Exception {
    HttpServer upstream =
        gw.http(
            req -> req.response().putHeader("x-proxy-wasm-sdk", "upstream").end("up " + req.uri()));
    HttpServer auth =
        gw.http(
            req -> {
              checks.incrementAndGet();
              req.response().end("ok");
            });
    HttpServer deny = gw.http(req -> req.response().setStatusCode(403).end());
    // answers no callout: the plugin's 500 ms timeout ends it
    HttpServer silent = gw.http(req -> {});
    String yaml =
        Specs.staticResources(
            Specs.httpListener(
                "chain",
                "chain",
                "",
                "",
                Specs.route("/", "up"),
                filter("headers", "c-http-headers.wasm")
                    + filter("callout", "c-callout.wasm")
                    + filter("rust", "rust-http-headers.wasm")
                    + filter("cpp", "cpp-http-headers.wasm")),
            Specs.cluster("up", upstream.actualPort())
                + Specs.cluster("auth", auth.actualPort())
                + Specs.cluster("deny", deny.actualPort())
                + Specs.cluster("silent", silent.actualPort()));
    GatewaySpec spec = Specs.parse(yaml);
    assertEquals(4, spec.listeners().get(0).plugins().size());
    gateway = gw.start(Gateway.builder(spec).reloadFrom(() -> Specs.parse(yaml)).concurrency(1));
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
    HttpResponse<String> denied = Http.get(port, "/d", "x-upstream", "deny");
    assertEquals(403, denied.statusCode());
    assertEquals("denied: 403", denied.body());
    assertTrue(denied.headers().allValues("x-proxy-wasm-sdk").isEmpty());

    // a callout to a cluster that does not answer ends at the plugin's timeout with a 504
    HttpResponse<String> late = Http.get(port, "/late", "x-upstream", "silent");
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

package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FlagsModeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private Gateway gateway;

  private Gateway serve(String... args) throws Exception {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs(args);
    gateway = cmd.start();
    return gateway;
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.shutdown(java.time.Duration.ofSeconds(2));
    }
  }

  private static Map<String, String> headers(JsonNode echo) {
    Map<String, String> m = new HashMap<>();
    echo.get("headers").forEach(h -> m.put(h.get(0).asText(), h.get(1).asText()));
    return m;
  }

  @Test
  void theHttpHeadersPluginAnswersHelloLocallyAndProxiesTheRest() throws Exception {
    Gateway g =
        serve(
            "--plugin", Http.plugin("c-http-headers.wasm").toString(),
            "--listen", "127.0.0.1:0",
            "--admin", "127.0.0.1:0",
            "--concurrency", "2");
    int port = g.port(0);

    HttpResponse<String> hello = Http.get(port, "/hello");
    assertEquals(200, hello.statusCode());
    assertEquals("Hello, World!\n", hello.body());
    assertEquals("World", hello.headers().firstValue("hello").orElse(""), "the plugin's header");
    assertEquals("proxy-wasm", hello.headers().firstValue("powered-by").orElse(""));

    HttpResponse<String> r = Http.get(port, "/some/path?q=1");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode echo = JSON.readTree(r.body());
    assertEquals("GET", echo.get("method").asText());
    assertEquals("/some/path?q=1", echo.get("path").asText());
    Map<String, String> h = headers(echo);
    assertEquals("127.0.0.1", h.get("x-forwarded-for"));
    assertEquals("http", h.get("x-forwarded-proto"));
    assertEquals("15000", h.get("x-envoy-expected-rq-timeout-ms"));
    assertEquals(36, h.getOrDefault("x-request-id", "").length(), "a generated x-request-id");
    assertEquals("127.0.0.1:" + port, h.get("host"));
    assertFalse(h.containsKey("connection"), "hop-by-hop headers are not forwarded: " + h);
    assertTrue(r.headers().firstValue("x-envoy-upstream-service-time").isPresent());
    assertEquals("envoy", r.headers().firstValue("server").orElse(""));

    HttpResponse<String> post = Http.post(port, "/echo", "a body");
    assertEquals("a body", JSON.readTree(post.body()).get("body").asText());

    int admin = g.adminPort().orElseThrow();
    assertEquals("LIVE\n", Http.get(admin, "/ready").body());
    String stats = Http.get(admin, "/stats").body();
    assertTrue(stats.contains("http.ingress_http.downstream_rq_total: 3"), stats);
    assertTrue(stats.contains("http.ingress_http.downstream_rq_2xx: 3"), stats);
    assertTrue(stats.contains("cluster.echo.upstream_rq_total: 2"), stats);
    String prom = Http.get(admin, "/stats/prometheus").body();
    assertTrue(prom.contains("# TYPE envoy_http_ingress_http_downstream_rq_total counter"), prom);
    JsonNode plugins = JSON.readTree(Http.get(admin, "/plugins").body());
    JsonNode p = plugins.get("plugins").get(0);
    assertEquals("c-http-headers", p.get("name").asText());
    assertEquals("FAIL_CLOSED", p.get("fail_policy").asText());
    assertEquals(64, p.get("vm_key").asText().length());
    assertEquals(0, p.get("in_flight").asInt());
  }

  @Test
  void aTrappingPluginFailsClosedWith503() throws Exception {
    Gateway g =
        serve(
            "--plugin", Http.plugin("trap-in-request-headers.wasm").toString(),
            "--listen", "127.0.0.1:0",
            "--admin", "127.0.0.1:0",
            "--concurrency", "1");
    HttpResponse<String> r = Http.get(g.port(0), "/");
    assertEquals(503, r.statusCode());
    assertFalse(r.body().contains("\"method\""), "the upstream must not answer");
    JsonNode p =
        JSON.readTree(Http.get(g.adminPort().orElseThrow(), "/plugins").body())
            .get("plugins")
            .get(0);
    assertEquals(1, p.get("failed_streams").asInt());
    assertTrue(p.get("last_failure").asText().contains("proxy_on_request_headers"), p.toString());
    // the next request gets a fresh clone, which traps again
    assertEquals(503, Http.get(g.port(0), "/").statusCode());
  }

  @Test
  void aTrappingPluginFailsOpenWhenAsked() throws Exception {
    Gateway g =
        serve(
            "--plugin",
            Http.plugin("trap-in-request-headers.wasm").toString(),
            "--fail-open",
            "--listen",
            "127.0.0.1:0",
            "--concurrency",
            "1");
    HttpResponse<String> r = Http.get(g.port(0), "/through");
    assertEquals(200, r.statusCode());
    assertEquals("/through", JSON.readTree(r.body()).get("path").asText());
  }

  @Test
  void theEventLoopsRunOnEpollOnLinuxAndOnNioWhenAsked() throws Exception {
    boolean linuxX64 =
        System.getProperty("os.name").equals("Linux")
            && System.getProperty("os.arch").equals("amd64");
    Gateway g =
        serve(
            "--plugin", Http.plugin("c-http-headers.wasm").toString(),
            "--listen", "127.0.0.1:0",
            "--concurrency", "1");
    assertEquals(linuxX64 ? "epoll" : "nio", g.transport());
    assertEquals(200, Http.get(g.port(0), "/hello").statusCode());
    assertEquals(200, Http.get(g.port(0), "/through").statusCode());
    g.shutdown(java.time.Duration.ofSeconds(2));

    g =
        serve(
            "--plugin",
            Http.plugin("c-http-headers.wasm").toString(),
            "--listen",
            "127.0.0.1:0",
            "--concurrency",
            "1",
            "--no-native-transport");
    assertEquals("nio", g.transport());
    assertEquals(200, Http.get(g.port(0), "/through").statusCode());
  }

  @Test
  void anUnreachableUpstreamAnswers503() throws Exception {
    Gateway g =
        serve(
            "--plugin", Http.plugin("c-http-headers.wasm").toString(),
            "--upstream", "http://127.0.0.1:1",
            "--listen", "127.0.0.1:0",
            "--concurrency", "1");
    HttpResponse<String> r = Http.get(g.port(0), "/x");
    assertEquals(503, r.statusCode());
    assertTrue(r.body().startsWith("upstream connect error"), r.body());
  }

  @Test
  void badFlagsAreRefusedInWords() {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new ServeCommand());
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("--plugin", "/no/such/file.wasm", "--listen", "127.0.0.1:0");
    assertEquals(2, code);
    assertTrue(err.toString().contains("--plugin: cannot read /no/such/file.wasm"), err.toString());

    StringWriter err2 = new StringWriter();
    CommandLine cl2 = new CommandLine(new ServeCommand());
    cl2.setErr(new PrintWriter(err2));
    assertEquals(
        2,
        cl2.execute(
            "--plugin", Http.plugin("trap-in-start.wasm").toString(), "--listen", "127.0.0.1:0"));
    assertTrue(err2.toString().contains("did not load"), err2.toString());
  }
}

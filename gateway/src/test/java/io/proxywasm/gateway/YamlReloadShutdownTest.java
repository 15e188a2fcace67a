package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServer;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example YAML served end to end; reloads under load drop nothing; shutdown drains. */
class YamlReloadShutdownTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RELOADS = 20;
  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  private HttpServer upstream;
  private Gateway gateway;
  private final AtomicReference<String> yaml = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    upstream =
        gw.http(
            req -> {
              if (req.path().equals("/slow")) {
                gw.vertx().setTimer(700, t -> req.response().end("slow done"));
              } else {
                req.response().end("up " + req.uri());
              }
            });
    String text =
        Specs.example(
            "envoy-http-headers.yaml",
            "port_value: 10000",
            "port_value: 0",
            "port_value: 9901",
            "port_value: 0",
            "port_value: 8080",
            "port_value: " + upstream.actualPort());
    yaml.set(text);
    gateway =
        gw.start(
            Gateway.builder(Specs.parse(text))
                .reloadFrom(() -> Specs.parse(yaml.get()))
                .concurrency(2));
  }

  private HttpResponse<String> reload() throws Exception {
    return Http.send(
        Http.request(gateway.adminPort().orElseThrow(), "/reload")
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.noBody()));
  }

  private JsonNode plugin() throws Exception {
    return JSON.readTree(Http.get(gateway.adminPort().orElseThrow(), "/plugins").body())
        .get("plugins")
        .get(0);
  }

  @Test
  void servesTheExampleAndReloadsUnderLoadWithoutDroppingARequest() throws Exception {
    int port = gateway.port(0);
    assertEquals("Hello, World!\n", Http.get(port, "/hello").body());
    assertEquals("static answer\n", Http.get(port, "/static").body());
    assertEquals("up /a/b?c=d", Http.get(port, "/a/b?c=d").body());

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger done = new AtomicInteger();
    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int id = t;
      Thread c =
          new Thread(
              () -> {
                int i = 0;
                while (running.get()) {
                  try {
                    String path = (i++ % 2 == 0) ? "/hello" : "/c" + id + "/" + i;
                    HttpResponse<String> r = Http.get(port, path);
                    String expected = path.equals("/hello") ? "Hello, World!\n" : "up " + path;
                    if (r.statusCode() != 200 || !r.body().equals(expected)) {
                      wrong.add(path + " -> " + r.statusCode() + " " + r.body());
                    }
                    done.incrementAndGet();
                  } catch (Exception e) {
                    wrong.add("client error: " + e);
                  }
                }
              });
      c.start();
      clients.add(c);
    }
    for (int n = 0; n < RELOADS; n++) {
      HttpResponse<String> r = reload();
      assertEquals(200, r.statusCode(), r.body());
      Thread.sleep(20);
    }
    running.set(false);
    for (Thread c : clients) {
      c.join(30_000);
    }
    assertTrue(wrong.isEmpty(), wrong.size() + " wrong answers, first: " + wrong.peek());
    assertTrue(done.get() > RELOADS, "requests served during the reloads: " + done.get());
    JsonNode p = plugin();
    assertEquals(RELOADS + 1, p.get("generation").asInt());

    // a plugin that fails its canary is refused and the running one stays
    yaml.set(yaml.get().replace("c-http-headers.wasm", "trap-in-start.wasm"));
    HttpResponse<String> bad = reload();
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().startsWith("reload failed, the running plugins stay"), bad.body());
    assertEquals(RELOADS + 1, plugin().get("generation").asInt());
    assertEquals("Hello, World!\n", Http.get(port, "/hello").body());
  }

  @Test
  void shutdownLetsARequestInFlightFinishAndStopsAccepting() throws Exception {
    int port = gateway.port(0);
    CompletableFuture<HttpResponse<String>> slow =
        Http.CLIENT.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow")).build(),
            HttpResponse.BodyHandlers.ofString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (gateway.activeRequests() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(1, gateway.activeRequests());
    gateway.shutdown(Duration.ofSeconds(10));
    HttpResponse<String> r = slow.get(10, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode());
    assertEquals("slow done", r.body());
    Exception refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            Exception.class,
            () ->
                java.net.http.HttpClient.newHttpClient()
                    .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString()));
    assertTrue(
        refused instanceof ConnectException || refused.getCause() instanceof ConnectException,
        refused.toString());
  }
}

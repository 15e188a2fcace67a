package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.gateway.config.ConfigException;
import io.proxywasm.gateway.config.EnvoyBootstrap;
import io.proxywasm.gateway.config.GatewaySpec;
import io.proxywasm.remote.RemoteCode;
import io.proxywasm.spi.Metric;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A wasm filter whose code is remote ({@code vm_config.code.remote}): downloaded from a real HTTP
 * server when the gateway starts, retried as its retry policy says, checked against its SHA-256; a
 * download that fails leaves the plugin unavailable and its fail policy answers.
 */
class RemoteCodeTest {
  private static final Path ROOT = Http.repo("");
  private Vertx vertx;
  private HttpServer upstream;
  private HttpServer codeServer;
  private Gateway gateway;
  private byte[] module;

  /** Requests the code server had; the first {@link #failFirst} of them get a 503. */
  private final AtomicInteger codeRequests = new AtomicInteger();

  private volatile int failFirst;

  private static String yaml(int upstreamPort, int codePort, String sha256, boolean failOpen) {
    String plugin =
        """
        name: headers
        fail_open: %s
        vm_config:
          runtime: envoy.wasm.runtime.v8
          code:
            remote:
              http_uri:
                uri: http://127.0.0.1:%d/plugins/c-http-headers.wasm
                cluster: code
                timeout: 5s
              sha256: %s
              retry_policy:
                num_retries: 2
                retry_back_off: { base_interval: 0.01s, max_interval: 0.05s }
        """
            .formatted(failOpen, codePort, sha256);
    return Specs.bootstrap(
        upstreamPort, Specs.wasmFilter(plugin), "", Specs.cluster("code", codePort));
  }

  @BeforeEach
  void start() throws Exception {
    module = Files.readAllBytes(Http.plugin("c-http-headers.wasm"));
    vertx = Vertx.vertx();
    upstream = listen(req -> req.response().end("up " + req.uri()));
    codeServer =
        listen(
            req -> {
              if (codeRequests.incrementAndGet() <= failFirst) {
                req.response().setStatusCode(503).end("not yet");
              } else if (req.path().equals("/plugins/c-http-headers.wasm")) {
                req.response().end(Buffer.buffer(module));
              } else {
                req.response().setStatusCode(404).end();
              }
            });
  }

  private HttpServer listen(io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> handler)
      throws Exception {
    return vertx
        .createHttpServer()
        .requestHandler(handler)
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private void startGateway(String sha256, boolean failOpen) throws Exception {
    GatewaySpec spec =
        EnvoyBootstrap.parse(
            yaml(upstream.actualPort(), codeServer.actualPort(), sha256, failOpen), ROOT);
    gateway = Gateway.builder(spec).concurrency(2).start();
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.shutdown(Duration.ofSeconds(1));
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void theDownloadedPluginRunsAfterARetry() throws Exception {
    failFirst = 1;
    startGateway(RemoteCode.sha256(module), false);
    assertEquals(2, codeRequests.get(), "one failed download, one retry");
    int port = gateway.port(0);
    HttpResponse<String> hello = Http.get(port, "/hello");
    assertEquals(200, hello.statusCode());
    assertEquals("Hello, World!\n", hello.body(), "the plugin's own local reply");
    assertEquals("World", hello.headers().firstValue("hello").orElse(""));
    HttpResponse<String> other = Http.get(port, "/other");
    assertEquals("up /other", other.body());
    assertEquals(1, stat("wasm.remote_load_fetch_successes"), "Envoy's remote-load stats");
  }

  private long stat(String name) {
    for (Metric m : gateway.stats.all()) {
      if (m.name().equals(name)) {
        return m.value();
      }
    }
    return -1;
  }

  @Test
  void aReloadWhoseDownloadFailsKeepsTheRunningPlugin() throws Exception {
    String sha = RemoteCode.sha256(module);
    // another module: the one already fetched is cached by its hash and would be used again
    String otherSha = RemoteCode.sha256("version 2".getBytes(StandardCharsets.UTF_8));
    GatewaySpec spec =
        EnvoyBootstrap.parse(
            yaml(upstream.actualPort(), codeServer.actualPort(), sha, false), ROOT);
    gateway =
        Gateway.builder(spec)
            .concurrency(2)
            .reloadFrom(
                () ->
                    EnvoyBootstrap.parse(
                        yaml(upstream.actualPort(), codeServer.actualPort(), otherSha, false)
                            .replace("c-http-headers.wasm", "gone.wasm"),
                        ROOT))
            .start();
    ConfigException e = assertThrows(ConfigException.class, gateway::reload);
    assertTrue(
        e.getMessage().startsWith("listener main: plugin headers did not load: "), e.getMessage());
    assertTrue(e.getMessage().contains("gone.wasm"), e.getMessage());
    HttpResponse<String> hello = Http.get(gateway.port(0), "/hello");
    assertEquals("Hello, World!\n", hello.body(), "the first generation still answers");
  }

  @Test
  void aModuleWithAnotherHashLeavesThePluginUnavailable() throws Exception {
    startGateway(RemoteCode.sha256("another module".getBytes(StandardCharsets.UTF_8)), false);
    int port = gateway.port(0);
    HttpResponse<String> r = Http.get(port, "/hello");
    assertEquals(503, r.statusCode(), "fail closed: the plugin could not be had");
    assertEquals(1, codeRequests.get(), "a hash mismatch is not retried");
  }

  @Test
  void aFailOpenPluginThatCouldNotBeDownloadedLetsTrafficThrough() throws Exception {
    failFirst = Integer.MAX_VALUE;
    startGateway(RemoteCode.sha256(module), true);
    assertEquals(3, codeRequests.get(), "the first try and num_retries: 2");
    HttpResponse<String> r = Http.get(gateway.port(0), "/hello");
    assertEquals(200, r.statusCode());
    assertEquals("up /hello", r.body(), "fail open: the upstream answers");
  }
}

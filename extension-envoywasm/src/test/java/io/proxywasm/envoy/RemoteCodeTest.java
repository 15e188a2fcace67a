package io.proxywasm.envoy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Remote code against a real HTTP server on loopback: each case with its exact stats and events.
 */
class RemoteCodeTest {
  private static final PluginInfo PLUGIN = new PluginInfo("remote", "", "", "chicory");
  private static final Path CORPUS =
      Path.of(System.getProperty("proxywasm.plugins.dir", "../plugins"), "wasm");

  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();

  /** What each request gets, in order; the last one repeats. */
  private final List<Answer> script = new CopyOnWriteArrayList<>();

  private final RecordingSink sink = new RecordingSink();
  private final EnvoyWasmExtension extension = EnvoyWasmExtension.builder().sink(sink).build();
  private final AtomicLong now = new AtomicLong();
  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private byte[] module;
  private String hash;

  private record Answer(int status, byte[] body, long delayMillis) {}

  @BeforeEach
  void start() throws IOException {
    module = Files.readAllBytes(CORPUS.resolve("c-http-headers.wasm"));
    hash = RemoteCode.sha256(module);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          int n = requests.getAndIncrement();
          Answer a = script.get(Math.min(n, script.size() - 1));
          try {
            Thread.sleep(a.delayMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(a.body());
          } catch (IOException e) {
            // the client gave up (timeout)
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI url() {
    return URI.create(
        "http://"
            + server.getAddress().getHostString()
            + ":"
            + server.getAddress().getPort()
            + "/plugin.wasm");
  }

  private RemoteCode.Builder loader() {
    return RemoteCode.builder(extension)
        .nanoTime(now::get)
        .sleeper(waits::add)
        .backoff(Duration.ofMillis(100), Duration.ofMillis(250))
        .timeout(Duration.ofSeconds(5));
  }

  private void answer(int status, byte[] body) {
    script.add(new Answer(status, body, 0));
  }

  private long stat(String name) {
    OptionalLong v = extension.registry().value(name);
    return v.isPresent() ? v.getAsLong() : 0;
  }

  private Map<String, Long> remoteStats() {
    return Map.of(
        "hits", stat("wasm.remote_load_cache_hits"),
        "negative_hits", stat("wasm.remote_load_cache_negative_hits"),
        "misses", stat("wasm.remote_load_cache_misses"),
        "fetch_successes", stat("wasm.remote_load_fetch_successes"),
        "fetch_failures", stat("wasm.remote_load_fetch_failures"),
        "entries", stat("wasm.remote_load_cache_entries"));
  }

  private static Map<String, Long> expect(
      long hits, long negativeHits, long misses, long successes, long failures, long entries) {
    return Map.of(
        "hits", hits,
        "negative_hits", negativeHits,
        "misses", misses,
        "fetch_successes", successes,
        "fetch_failures", failures,
        "entries", entries);
  }

  @Test
  void missThenHitUntilTheTtlEnds() throws Exception {
    answer(200, module);
    RemoteCode remote = loader().cacheTtl(Duration.ofMinutes(1)).build();
    assertArrayEquals(module, remote.fetch(url(), hash, PLUGIN));
    assertEquals(expect(0, 0, 1, 1, 0, 1), remoteStats());
    assertEquals(
        List.of(WasmEvent.REMOTE_LOAD_CACHE_MISS, WasmEvent.REMOTE_LOAD_CACHE_FETCH_SUCCESS),
        sink.events);
    assertArrayEquals(module, remote.fetch(url(), hash.toUpperCase(), PLUGIN));
    assertEquals(1, requests.get(), "a hit does not fetch");
    assertEquals(expect(1, 0, 1, 1, 0, 1), remoteStats());
    now.addAndGet(Duration.ofMinutes(1).toNanos());
    remote.fetch(url(), hash, PLUGIN);
    assertEquals(2, requests.get(), "an expired entry is fetched again");
    assertEquals(expect(1, 0, 2, 2, 0, 1), remoteStats());
  }

  @Test
  void aFailureIsCachedNegativelyForItsTtl() throws Exception {
    answer(404, new byte[0]);
    RemoteCode remote = loader().negativeCacheTtl(Duration.ofSeconds(10)).build();
    RemoteCodeException first =
        assertThrows(RemoteCodeException.class, () -> remote.fetch(url(), hash, PLUGIN));
    assertTrue(first.getMessage().contains("status 404"), first.getMessage());
    assertEquals(1, requests.get(), "a 404 is not retried");
    RemoteCodeException cached =
        assertThrows(RemoteCodeException.class, () -> remote.fetch(url(), hash, PLUGIN));
    assertTrue(cached.getMessage().contains("failure cached"), cached.getMessage());
    assertEquals(1, requests.get(), "a negative hit does not fetch");
    assertEquals(expect(0, 1, 1, 0, 1, 0), remoteStats());
    assertEquals(
        List.of(
            WasmEvent.REMOTE_LOAD_CACHE_MISS,
            WasmEvent.REMOTE_LOAD_CACHE_FETCH_FAILURE,
            WasmEvent.REMOTE_LOAD_CACHE_NEGATIVE_HIT),
        sink.events);
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    script.add(new Answer(200, module, 0));
    assertArrayEquals(module, remote.fetch(url(), hash, PLUGIN));
    assertEquals(expect(0, 1, 2, 1, 1, 1), remoteStats());
  }

  @Test
  void serverErrorsAreRetriedWithBackoffThenSucceed() throws Exception {
    answer(503, new byte[0]);
    answer(500, new byte[0]);
    answer(200, module);
    RemoteCode remote = loader().retries(3).build();
    assertArrayEquals(module, remote.fetch(url(), hash, PLUGIN));
    assertEquals(3, requests.get());
    assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), waits);
    assertEquals(expect(0, 0, 1, 1, 0, 1), remoteStats());
  }

  @Test
  void aServerThatKeepsFailingFailsAfterTheRetries() {
    answer(500, new byte[0]);
    RemoteCode remote = loader().retries(3).build();
    RemoteCodeException e =
        assertThrows(RemoteCodeException.class, () -> remote.fetch(url(), hash, PLUGIN));
    assertTrue(e.getMessage().contains("after 4 attempt(s): status 500"), e.getMessage());
    assertEquals(4, requests.get());
    assertEquals(
        List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(250)),
        waits,
        "doubling up to the maximum");
    assertEquals(expect(0, 0, 1, 0, 1, 0), remoteStats());
  }

  @Test
  void aSlowServerTimesOut() {
    script.add(new Answer(200, module, 1500));
    RemoteCode remote = loader().timeout(Duration.ofMillis(200)).retries(1).build();
    RemoteCodeException e =
        assertThrows(RemoteCodeException.class, () -> remote.fetch(url(), hash, PLUGIN));
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    assertEquals(expect(0, 0, 1, 0, 1, 0), remoteStats());
  }

  @Test
  void aWrongHashNamesBothHashesAndIsNeverCachedAsGood() {
    answer(200, module);
    String wrong = "0".repeat(64);
    RemoteCode remote = loader().build();
    RemoteCodeException e =
        assertThrows(RemoteCodeException.class, () -> remote.fetch(url(), wrong, PLUGIN));
    assertTrue(e.getMessage().contains("has sha256 " + hash), e.getMessage());
    assertTrue(e.getMessage().contains(wrong + " was expected"), e.getMessage());
    assertEquals(0, remote.cacheEntries());
    assertEquals(expect(0, 0, 1, 0, 1, 0), remoteStats());
    assertEquals(1, requests.get(), "a mismatch is not retried");
  }

  @Test
  void anOversizedBodyIsRefused() {
    answer(200, module);
    RemoteCode remote = loader().maxBytes(module.length - 1).build();
    RemoteCodeException e =
        assertThrows(RemoteCodeException.class, () -> remote.fetch(url(), hash, PLUGIN));
    assertTrue(e.getMessage().contains("over the limit of " + (module.length - 1)), e.getMessage());
    assertEquals(expect(0, 0, 1, 0, 1, 0), remoteStats());
  }

  @Test
  void badSourcesAndHashesAreConfigurationErrors() {
    RemoteCode remote = loader().build();
    assertThrows(IllegalArgumentException.class, () -> remote.fetch(url(), "", PLUGIN));
    assertThrows(IllegalArgumentException.class, () -> remote.fetch(url(), "abc", PLUGIN));
    assertThrows(
        IllegalArgumentException.class,
        () -> remote.fetch(URI.create("ftp://example.com/x.wasm"), hash, PLUGIN));
    assertEquals(0, requests.get());
  }

  @Test
  void localFilesNeedNoServer() throws Exception {
    RemoteCode remote = loader().build();
    URI file = CORPUS.resolve("c-http-headers.wasm").toUri();
    assertArrayEquals(module, remote.fetch(file, "", PLUGIN));
    assertArrayEquals(module, remote.fetch(file, hash, PLUGIN));
    RemoteCodeException wrong =
        assertThrows(RemoteCodeException.class, () -> remote.fetch(file, "1".repeat(64), PLUGIN));
    assertTrue(wrong.getMessage().contains("was expected"), wrong.getMessage());
    assertThrows(
        RemoteCodeException.class,
        () -> remote.fetch(CORPUS.resolve("missing.wasm").toUri(), "", PLUGIN));
  }

  @Test
  void codeThatCannotBeHadAppliesThePluginsFailPolicy() throws Exception {
    answer(500, new byte[0]);
    try (ProxyWasmHost host = ProxyWasmHost.builder().extension(extension).build()) {
      RemoteCode remote = loader().retries(0).build();
      for (FailPolicy policy : FailPolicy.values()) {
        remote.clear();
        try (Plugin plugin =
                remote.load(
                    host,
                    PluginConfig.builder("remote-" + policy).failPolicy(policy),
                    url(),
                    hash);
            Worker worker = host.newWorker()) {
          assertFalse(plugin.isAvailable());
          assertTrue(plugin.unavailableReason().orElseThrow().contains("status 500"));
          List<LocalResponse> replies = new ArrayList<>();
          HttpStream s =
              worker
                  .handle(plugin)
                  .newHttpStream(
                      new HttpStreamListener() {
                        @Override
                        public void onLocalResponse(LocalResponse response) {
                          replies.add(response);
                        }
                      });
          s.onRequestHeaders(HeaderMap.of(":path", "/"), true);
          s.close();
          assertEquals(policy == FailPolicy.FAIL_CLOSED ? 1 : 0, replies.size(), policy.name());
        }
      }
      script.clear();
      answer(200, module);
      remote.clear();
      try (Plugin plugin = remote.load(host, PluginConfig.builder("remote-ok"), url(), hash)) {
        assertTrue(plugin.isAvailable());
        assertEquals(Optional.empty(), plugin.unavailableReason());
        assertEquals(1, stat("wasm.remote_load_fetch_successes"));
      }
    }
  }
}

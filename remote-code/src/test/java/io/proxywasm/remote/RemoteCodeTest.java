package io.proxywasm.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Remote code against real HTTP servers on loopback: each case with its exact events. */
class RemoteCodeTest {
  private static final PluginInfo PLUGIN = new PluginInfo("remote", "", "", "chicory");
  private static final Path CORPUS =
      Path.of(System.getProperty("proxywasm.plugins.dir", "../plugins"), "wasm");

  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();

  /** What each request to /plugin.wasm gets, in order; the last one repeats. */
  private final List<Answer> script = new CopyOnWriteArrayList<>();

  private final Recorder extension = new Recorder();
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private byte[] module;
  private String hash;

  @TempDir Path cacheDir;

  private record Answer(int status, byte[] body, long delayMillis) {}

  /** An extension that records events and the cache-entries gauge. */
  static final class Recorder implements WasmExtension {
    final List<WasmEvent> events = new CopyOnWriteArrayList<>();
    final List<String> messages = new CopyOnWriteArrayList<>();
    volatile int entries;

    @Override
    public void onEvent(WasmEvent event, PluginInfo plugin, String message) {
      events.add(event);
      messages.add(message);
    }

    @Override
    public void onRemoteCacheEntriesChanged(int entries) {
      this.entries = entries;
    }

    @Override
    public Metric pluginMetric(MetricType type, String name, PluginInfo plugin) {
      throw new UnsupportedOperationException("not used by remote code");
    }

    @Override
    public Metric hostMetric(MetricType type, String name) {
      throw new UnsupportedOperationException("not used by remote code");
    }

    long count(WasmEvent e) {
      return events.stream().filter(e::equals).count();
    }
  }

  @BeforeEach
  void start() throws IOException {
    module = Files.readAllBytes(CORPUS.resolve("c-http-headers.wasm"));
    hash = RemoteCode.sha256(module);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext(
        "/plugin.wasm",
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

  private URI url(String path) {
    return URI.create(
        "http://"
            + server.getAddress().getHostString()
            + ":"
            + server.getAddress().getPort()
            + path);
  }

  private URI url() {
    return url("/plugin.wasm");
  }

  private RemoteCode.Builder loader() {
    return RemoteCode.builder(extension)
        .clock(now::get)
        .sleeper(waits::add)
        .backoff(Duration.ofMillis(100), Duration.ofMillis(250))
        .timeout(Duration.ofSeconds(5))
        .cacheDirectory(cacheDir);
  }

  private void answer(int status, byte[] body) {
    script.add(new Answer(status, body, 0));
  }

  /** hits, negative hits, misses, fetch successes, fetch failures, cache entries. */
  private List<Long> stats() {
    return List.of(
        extension.count(WasmEvent.REMOTE_LOAD_CACHE_HIT),
        extension.count(WasmEvent.REMOTE_LOAD_CACHE_NEGATIVE_HIT),
        extension.count(WasmEvent.REMOTE_LOAD_CACHE_MISS),
        extension.count(WasmEvent.REMOTE_LOAD_CACHE_FETCH_SUCCESS),
        extension.count(WasmEvent.REMOTE_LOAD_CACHE_FETCH_FAILURE),
        (long) extension.entries);
  }

  private static List<Long> expect(
      long hits, long negativeHits, long misses, long successes, long failures, long entries) {
    return List.of(hits, negativeHits, misses, successes, failures, entries);
  }

  private List<Path> downloadsLeft() throws IOException {
    try (Stream<Path> files = Files.list(cacheDir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
    }
  }

  @Test
  void aSha256IsSixtyFourHexDigitsInEitherCase() {
    String sha = RemoteCode.sha256(new byte[] {1, 2, 3});
    assertTrue(RemoteCode.isSha256(sha));
    assertTrue(RemoteCode.isSha256(" " + sha.toUpperCase(java.util.Locale.ROOT) + "\n"));
    assertFalse(RemoteCode.isSha256(sha.substring(1)));
    assertFalse(RemoteCode.isSha256(sha.substring(1) + "g"));
    assertFalse(RemoteCode.isSha256(""));
  }

  @Test
  void missThenHitUntilTheTtlEnds() throws Exception {
    answer(200, module);
    RemoteCode remote = loader().cacheTtl(Duration.ofMinutes(1)).build();
    assertArrayEquals(module, remote.fetch(url(), hash, PLUGIN));
    assertEquals(expect(0, 0, 1, 1, 0, 1), stats());
    assertEquals(
        List.of(WasmEvent.REMOTE_LOAD_CACHE_MISS, WasmEvent.REMOTE_LOAD_CACHE_FETCH_SUCCESS),
        extension.events);
    assertArrayEquals(module, remote.fetch(url(), hash.toUpperCase(), PLUGIN));
    assertEquals(1, requests.get(), "a hit does not fetch");
    assertEquals(expect(1, 0, 1, 1, 0, 1), stats());
    assertTrue(Files.isRegularFile(cacheDir.resolve(hash + ".wasm")), "the verified copy");
    now.addAndGet(Duration.ofMinutes(1).toMillis());
    remote.fetch(url(), hash, PLUGIN);
    assertEquals(2, requests.get(), "an expired entry is fetched again, from memory and disk");
    assertEquals(expect(1, 0, 2, 2, 0, 1), stats());
  }

  @Test
  void aRestartReusesTheVerifiedFileAndRefetchesADamagedOne() throws Exception {
    answer(200, module);
    loader().build().fetch(url(), hash, PLUGIN);
    RemoteCode restarted = loader().build();
    assertArrayEquals(module, restarted.fetch(url(), hash, PLUGIN));
    assertEquals(1, requests.get(), "the file on disk was used");
    Path file = cacheDir.resolve(hash + ".wasm");
    Files.write(file, new byte[] {0, 'a', 's', 'm'});
    RemoteCode third = loader().build();
    assertArrayEquals(module, third.fetch(url(), hash, PLUGIN));
    assertEquals(2, requests.get(), "a file that does not match its hash is fetched again");
    assertEquals(List.of(), downloadsLeft());
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
    assertEquals(expect(0, 1, 1, 0, 1, 0), stats());
    assertEquals(
        List.of(
            WasmEvent.REMOTE_LOAD_CACHE_MISS,
            WasmEvent.REMOTE_LOAD_CACHE_FETCH_FAILURE,
            WasmEvent.REMOTE_LOAD_CACHE_NEGATIVE_HIT),
        extension.events);
    now.addAndGet(Duration.ofSeconds(10).toMillis());
    script.add(new Answer(200, module, 0));
    assertArrayEquals(module, remote.fetch(url(), hash, PLUGIN));
    assertEquals(expect(0, 1, 2, 1, 1, 1), stats());
  }

  @Test
  void aFailingUrlDoesNotFailAGoodUrlWithTheSameHash() throws Exception {
    server.createContext(
        "/gone.wasm",
        exchange -> {
          exchange.sendResponseHeaders(404, -1);
          exchange.close();
        });
    answer(200, module);
    RemoteCode remote = loader().build();
    RemoteCodeException gone =
        assertThrows(
            RemoteCodeException.class, () -> remote.fetch(url("/gone.wasm"), hash, PLUGIN));
    assertTrue(gone.getMessage().contains("status 404"), gone.getMessage());
    assertArrayEquals(module, remote.fetch(url(), hash, PLUGIN));
    assertEquals(1, requests.get());
    assertEquals(expect(0, 0, 2, 1, 1, 1), stats());
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
    assertEquals(expect(0, 0, 1, 1, 0, 1), stats());
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
    assertEquals(expect(0, 0, 1, 0, 1, 0), stats());
  }

  @Test
  void slowHeadersTimeOut() {
    script.add(new Answer(200, module, 1500));
    RemoteCode remote = loader().timeout(Duration.ofMillis(200)).retries(1).build();
    RemoteCodeException e =
        assertThrows(RemoteCodeException.class, () -> remote.fetch(url(), hash, PLUGIN));
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    assertEquals(expect(0, 0, 1, 0, 1, 0), stats());
  }

  /** Headers at once, then one byte a second: the deadline covers the body too. */
  @Test
  void aTrickleOfBodyFailsAtTheDeadline() throws Exception {
    try (ServerSocket trickle = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread serving =
          new Thread(
              () -> {
                try (Socket s = trickle.accept()) {
                  s.getInputStream().read(new byte[4096]);
                  OutputStream out = s.getOutputStream();
                  out.write(
                      "HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n"
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                  for (int i = 0; i < 60; i++) {
                    out.write('x');
                    out.flush();
                    Thread.sleep(1000);
                  }
                } catch (IOException | InterruptedException e) {
                  // the client hung up, as it should
                }
              });
      serving.setDaemon(true);
      serving.start();
      URI slow = URI.create("http://127.0.0.1:" + trickle.getLocalPort() + "/plugin.wasm");
      RemoteCode remote = loader().timeout(Duration.ofMillis(1500)).retries(0).build();
      long started = System.nanoTime();
      RemoteCodeException e =
          assertThrows(RemoteCodeException.class, () -> remote.fetch(slow, hash, PLUGIN));
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(e.getMessage().contains("timed out after 1500 ms"), e.getMessage());
      assertTrue(tookMillis < 10_000, "failed after " + tookMillis + " ms, not at the deadline");
      assertEquals(List.of(), downloadsLeft(), "the partial download is deleted");
    }
  }

  @Test
  void aWrongHashNamesBothHashesAndIsNeverCachedAsGood() throws Exception {
    answer(200, module);
    String wrong = "0".repeat(64);
    RemoteCode remote = loader().build();
    RemoteCodeException e =
        assertThrows(RemoteCodeException.class, () -> remote.fetch(url(), wrong, PLUGIN));
    assertTrue(e.getMessage().contains("has sha256 " + hash), e.getMessage());
    assertTrue(e.getMessage().contains(wrong + " was expected"), e.getMessage());
    assertEquals(0, remote.cacheEntries());
    assertEquals(expect(0, 0, 1, 0, 1, 0), stats());
    assertEquals(1, requests.get(), "a mismatch is not retried");
    assertFalse(Files.exists(cacheDir.resolve(wrong + ".wasm")));
    assertEquals(List.of(), downloadsLeft());
  }

  @Test
  void aDeclaredOversizedBodyIsRefused() {
    answer(200, module);
    RemoteCode remote = loader().maxBytes(module.length - 1).build();
    RemoteCodeException e =
        assertThrows(RemoteCodeException.class, () -> remote.fetch(url(), hash, PLUGIN));
    assertTrue(
        e.getMessage().contains(module.length + " bytes, over the limit of " + (module.length - 1)),
        e.getMessage());
    assertEquals(expect(0, 0, 1, 0, 1, 0), stats());
  }

  /** No Content-Length and a body far over the limit: the download stops soon after the limit. */
  @Test
  void anUndeclaredOversizedBodyStopsEarly() throws Exception {
    long total = 256L << 20;
    AtomicLong sent = new AtomicLong();
    CompletableFuture<Boolean> serverGaveUp = new CompletableFuture<>();
    server.createContext(
        "/endless.wasm",
        exchange -> {
          exchange.sendResponseHeaders(200, 0); // chunked, no length
          byte[] chunk = new byte[16 << 10];
          try (OutputStream out = exchange.getResponseBody()) {
            while (sent.get() < total) {
              out.write(chunk);
              sent.addAndGet(chunk.length);
            }
            serverGaveUp.complete(false);
          } catch (IOException e) {
            serverGaveUp.complete(true);
          }
        });
    long limit = 1 << 20;
    RemoteCode remote = loader().maxBytes(limit).retries(0).build();
    RemoteCodeException e =
        assertThrows(
            RemoteCodeException.class, () -> remote.fetch(url("/endless.wasm"), hash, PLUGIN));
    assertTrue(e.getMessage().contains("over the limit of " + limit + " bytes"), e.getMessage());
    assertTrue(serverGaveUp.get(30, TimeUnit.SECONDS), "the client hung up before the end");
    assertTrue(sent.get() < total / 4, "the server sent " + sent.get() + " bytes");
    assertEquals(List.of(), downloadsLeft());
  }

  @Test
  void badSourcesAndHashesAreConfigurationErrors() {
    RemoteCode remote = loader().build();
    IllegalArgumentException noHash =
        assertThrows(IllegalArgumentException.class, () -> remote.fetch(url(), "", PLUGIN));
    assertTrue(noHash.getMessage().contains("needs its sha256"), noHash.getMessage());
    assertThrows(IllegalArgumentException.class, () -> remote.fetch(url(), "abc", PLUGIN));
    assertThrows(
        IllegalArgumentException.class,
        () -> remote.fetch(URI.create("ftp://example.com/x.wasm"), hash, PLUGIN));
    assertEquals(0, requests.get());
  }

  @Test
  void unverifiedRemoteCodeOnlyWhenAllowed() throws Exception {
    answer(200, module);
    RemoteCode remote = loader().allowUnverifiedRemote(true).build();
    assertArrayEquals(module, remote.fetch(url(), null, PLUGIN));
    assertArrayEquals(module, remote.fetch(url(), "", PLUGIN));
    assertEquals(1, requests.get(), "cached by URL");
  }

  @Test
  void localFilesOnlyUnderTheirRoots(@TempDir Path elsewhere) throws Exception {
    URI file = CORPUS.resolve("c-http-headers.wasm").toUri();
    IllegalArgumentException noRoots =
        assertThrows(
            IllegalArgumentException.class, () -> loader().build().fetch(file, "", PLUGIN));
    assertTrue(noRoots.getMessage().contains("no file roots"), noRoots.getMessage());

    RemoteCode remote = loader().fileRoot(CORPUS).build();
    assertArrayEquals(module, remote.fetch(file, "", PLUGIN));
    assertArrayEquals(module, remote.fetch(file, hash, PLUGIN));
    RemoteCodeException wrong =
        assertThrows(RemoteCodeException.class, () -> remote.fetch(file, "1".repeat(64), PLUGIN));
    assertTrue(wrong.getMessage().contains("was expected"), wrong.getMessage());
    RemoteCodeException missing =
        assertThrows(
            RemoteCodeException.class,
            () -> remote.fetch(CORPUS.resolve("missing.wasm").toUri(), "", PLUGIN));
    assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());

    Path outside = Files.write(elsewhere.resolve("x.wasm"), module);
    IllegalArgumentException out =
        assertThrows(
            IllegalArgumentException.class, () -> remote.fetch(outside.toUri(), "", PLUGIN));
    assertTrue(out.getMessage().contains(outside.toString()), out.getMessage());
    assertTrue(out.getMessage().contains(CORPUS.toAbsolutePath().normalize().toString()));
    URI dotDot = URI.create(CORPUS.toUri() + "../../pom.xml");
    assertThrows(IllegalArgumentException.class, () -> remote.fetch(dotDot, "", PLUGIN));

    Path root = Files.createDirectory(elsewhere.resolve("root"));
    Path link = root.resolve("link.wasm");
    try {
      Files.createSymbolicLink(link, outside);
    } catch (UnsupportedOperationException | IOException e) {
      return; // no symbolic links here
    }
    RemoteCode confined = loader().fileRoot(root).build();
    IllegalArgumentException escaped =
        assertThrows(
            IllegalArgumentException.class, () -> confined.fetch(link.toUri(), "", PLUGIN));
    assertTrue(escaped.getMessage().contains("resolves to"), escaped.getMessage());
  }

  @Test
  void theMemoryCacheIsBoundedLeastRecentlyUsedFirst() throws Exception {
    byte[][] modules = new byte[3][];
    for (int i = 0; i < 3; i++) {
      byte[] m = new byte[1000 + i];
      m[0] = (byte) i;
      modules[i] = m;
      String path = "/m" + i + ".wasm";
      server.createContext(
          path,
          exchange -> {
            exchange.sendResponseHeaders(200, m.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(m);
            }
          });
    }
    RemoteCode remote = loader().maxCache(2, 1 << 20).build();
    for (int i = 0; i < 3; i++) {
      remote.fetch(url("/m" + i + ".wasm"), RemoteCode.sha256(modules[i]), PLUGIN);
    }
    assertEquals(2, remote.cacheEntries());
    assertEquals(2, extension.entries);
    assertEquals(1001 + 1002, remote.cacheBytes(), "the oldest left memory");

    RemoteCode bytesBound = loader().maxCache(10, 2100).build();
    for (int i = 0; i < 3; i++) {
      bytesBound.fetch(url("/m" + i + ".wasm"), RemoteCode.sha256(modules[i]), PLUGIN);
    }
    assertEquals(2, bytesBound.cacheEntries());
    assertTrue(bytesBound.cacheBytes() <= 2100, bytesBound.cacheBytes() + " bytes");
  }

  @Test
  void twoThreadsMissingTheSameSourceShareOneDownload() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger counted = new AtomicInteger();
    server.createContext(
        "/shared.wasm",
        exchange -> {
          counted.incrementAndGet();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(200, module.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(module);
          }
        });
    RemoteCode remote = loader().build();
    URI shared = url("/shared.wasm");
    CompletableFuture<byte[]> a = new CompletableFuture<>();
    CompletableFuture<byte[]> b = new CompletableFuture<>();
    Thread first = fetcher(remote, shared, a);
    Thread second = fetcher(remote, shared, b);
    first.start();
    second.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!(waiting(first) && waiting(second) && counted.get() >= 1)) {
      assertTrue(System.nanoTime() < deadline, "both threads should be waiting");
      Thread.sleep(10);
    }
    release.countDown();
    assertArrayEquals(module, a.get(20, TimeUnit.SECONDS));
    assertArrayEquals(module, b.get(20, TimeUnit.SECONDS));
    assertEquals(1, counted.get(), "one download for both");
    assertEquals(1, extension.count(WasmEvent.REMOTE_LOAD_CACHE_MISS));
    assertEquals(1, extension.count(WasmEvent.REMOTE_LOAD_CACHE_HIT));
  }

  private static boolean waiting(Thread t) {
    Thread.State s = t.getState();
    return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
  }

  private Thread fetcher(RemoteCode remote, URI source, CompletableFuture<byte[]> into) {
    Thread t =
        new Thread(
            () -> {
              try {
                into.complete(remote.fetch(source, hash, PLUGIN));
              } catch (Throwable e) {
                into.completeExceptionally(e);
              }
            });
    t.setDaemon(true);
    return t;
  }
}

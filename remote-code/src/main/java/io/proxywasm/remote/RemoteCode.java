package io.proxywasm.remote;

import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmExtension;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Loads plugin code from an {@code http(s)} URL or a local file, as Envoy's remote data sources do:
 * an {@code http(s)} module needs its SHA-256 (unless {@link Builder#allowUnverifiedRemote} says
 * otherwise), and the downloaded bytes must match it. A {@code file:} source must lie under one of
 * the {@linkplain Builder#fileRoot configured roots}.
 *
 * <p>A download is streamed to a temporary file in the {@linkplain Builder#cacheDirectory cache
 * directory}, hashed as it arrives and cut off at {@linkplain Builder#maxBytes the size limit}; the
 * whole download, body included, must finish within {@linkplain Builder#timeout the timeout}. A
 * verified module is moved atomically to {@code <sha256>.wasm} in that directory and kept in a
 * bounded in-memory cache (least recently used first out) for a TTL (24 hours by default); a later
 * lookup is served from memory, else from the verified file on disk while it is younger than the
 * TTL. A failed fetch is cached too, per source (URL and hash), negatively for 10 seconds by
 * default, so that a broken source is not hammered; connection failures, timeouts and 5xx answers
 * are retried with exponential backoff. Threads asking for the same source at the same time share
 * one download.
 *
 * <p>Every lookup raises Envoy's events on the extension ({@code RemoteLoadCacheHit}, {@code
 * NegativeHit}, {@code Miss}, {@code FetchSuccess}, {@code FetchFailure}) and keeps {@code
 * wasm.remote_load_cache_entries} current. Thread-safe.
 */
public final class RemoteCode {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final WasmExtension extension;
  private final HttpClient client;
  private final Duration cacheTtl;
  private final Duration negativeCacheTtl;
  private final int retries;
  private final Duration backoffBase;
  private final Duration backoffMax;
  private final Duration timeout;
  private final long maxBytes;
  private final int maxCacheEntries;
  private final long maxCacheBytes;
  private final List<Path> fileRoots;
  private final boolean allowUnverifiedRemote;
  private final Path configuredDirectory;
  private final LongSupplier clock;
  private final Sleeper sleeper;

  /** Modules by sha256 (or by URL, for unverified sources), least recently used first. */
  private final LinkedHashMap<String, Cached> cache = new LinkedHashMap<>(16, 0.75f, true);

  private long cachedBytes;
  private final Map<String, Failed> negative = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<byte[]>> inFlight = new ConcurrentHashMap<>();
  private Path directory;

  private record Cached(byte[] code, long expiresAt) {}

  private record Failed(String reason, long expiresAt) {}

  /** Waits between retries; tests replace it. */
  @FunctionalInterface
  public interface Sleeper {
    /**
     * Waits.
     *
     * @param duration how long
     * @throws InterruptedException if interrupted
     */
    void sleep(Duration duration) throws InterruptedException;
  }

  private RemoteCode(Builder b) {
    this.extension = b.extension;
    this.client =
        b.client != null
            ? b.client
            : HttpClient.newBuilder()
                .connectTimeout(b.timeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    this.cacheTtl = b.cacheTtl;
    this.negativeCacheTtl = b.negativeCacheTtl;
    this.retries = b.retries;
    this.backoffBase = b.backoffBase;
    this.backoffMax = b.backoffMax;
    this.timeout = b.timeout;
    this.maxBytes = b.maxBytes;
    this.maxCacheEntries = b.maxCacheEntries;
    this.maxCacheBytes = b.maxCacheBytes;
    this.fileRoots = List.copyOf(b.fileRoots);
    this.allowUnverifiedRemote = b.allowUnverifiedRemote;
    this.configuredDirectory = b.cacheDirectory;
    this.clock = b.clock;
    this.sleeper = b.sleeper;
  }

  /**
   * Starts a loader that reports to an extension (a host's, {@code ProxyWasmHost.extension()}).
   *
   * @param extension where events and the cache size go
   * @return a builder with Envoy's defaults
   */
  public static Builder builder(WasmExtension extension) {
    return new Builder(extension);
  }

  /**
   * Returns a module's bytes, from the cache or the source.
   *
   * <p>An embedder loads the plugin with the bytes, and when this throws registers the plugin as
   * unavailable (for example {@code ProxyWasmHost.unavailable(config, e.getMessage())}) so that the
   * plugin's fail policy applies to its streams.
   *
   * @param source an {@code http(s)} URL, or a {@code file:} URL under one of the file roots
   * @param sha256 the module's SHA-256 in hex; required for {@code http(s)} unless unverified
   *     sources are allowed, checked if given for files
   * @param plugin the plugin the code is for, named in events
   * @return the module
   * @throws RemoteCodeException naming the source and what went wrong
   * @throws IllegalArgumentException for a source or hash that is not valid, or a file outside the
   *     roots
   */
  public byte[] fetch(URI source, String sha256, PluginInfo plugin) throws RemoteCodeException {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(plugin, "plugin");
    String scheme = source.getScheme() == null ? "" : source.getScheme().toLowerCase(Locale.ROOT);
    String hash = sha256 == null ? "" : sha256.strip().toLowerCase(Locale.ROOT);
    if (!hash.isEmpty() && !SHA256.matcher(hash).matches()) {
      throw new IllegalArgumentException(
          "sha256 of " + source + " must be 64 hex digits, not '" + sha256 + "'");
    }
    if (scheme.equals("file")) {
      return file(source, hash);
    }
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "remote code must come from http, https or file URLs, not " + source);
    }
    if (hash.isEmpty() && !allowUnverifiedRemote) {
      throw new IllegalArgumentException(
          "remote code from "
              + source
              + " needs its sha256 (or a loader built with allowUnverifiedRemote(true))");
    }
    String cacheKey = hash.isEmpty() ? "url:" + source : hash;
    String sourceKey = source + "#" + hash;

    byte[] hit = cached(cacheKey, hash);
    if (hit != null) {
      extension.onEvent(WasmEvent.REMOTE_LOAD_CACHE_HIT, plugin, source.toString());
      return hit;
    }
    Failed failed = negative.get(sourceKey);
    if (failed != null) {
      if (clock.getAsLong() - failed.expiresAt() < 0) {
        extension.onEvent(WasmEvent.REMOTE_LOAD_CACHE_NEGATIVE_HIT, plugin, failed.reason());
        throw new RemoteCodeException(
            failed.reason() + " (failure cached for " + negativeCacheTtl.toMillis() + " ms)", null);
      }
      negative.remove(sourceKey, failed);
    }

    CompletableFuture<byte[]> mine = new CompletableFuture<>();
    CompletableFuture<byte[]> running = inFlight.putIfAbsent(sourceKey, mine);
    if (running != null) {
      return join(running, source, plugin);
    }
    try {
      hit = cached(cacheKey, hash); // another thread may have finished just now
      if (hit != null) {
        mine.complete(hit);
        extension.onEvent(WasmEvent.REMOTE_LOAD_CACHE_HIT, plugin, source.toString());
        return hit.clone();
      }
      extension.onEvent(WasmEvent.REMOTE_LOAD_CACHE_MISS, plugin, source.toString());
      byte[] code;
      try {
        code = download(source, hash);
      } catch (RemoteCodeException e) {
        negative.put(
            sourceKey, new Failed(e.getMessage(), clock.getAsLong() + negativeCacheTtl.toMillis()));
        extension.onEvent(WasmEvent.REMOTE_LOAD_CACHE_FETCH_FAILURE, plugin, e.getMessage());
        mine.completeExceptionally(e);
        throw e;
      }
      remember(cacheKey, code);
      extension.onEvent(WasmEvent.REMOTE_LOAD_CACHE_FETCH_SUCCESS, plugin, source.toString());
      mine.complete(code);
      return code.clone();
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(sourceKey, mine);
    }
  }

  /** Waits for another thread's download of the same source; a hit or a negative hit. */
  private byte[] join(CompletableFuture<byte[]> running, URI source, PluginInfo plugin)
      throws RemoteCodeException {
    try {
      byte[] code = running.get();
      extension.onEvent(WasmEvent.REMOTE_LOAD_CACHE_HIT, plugin, source.toString());
      return code.clone();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RemoteCodeException("waiting for " + source + " was interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RemoteCodeException failure) {
        extension.onEvent(WasmEvent.REMOTE_LOAD_CACHE_NEGATIVE_HIT, plugin, failure.getMessage());
        throw new RemoteCodeException(failure.getMessage(), failure);
      }
      throw new IllegalStateException(
          "fetching " + source + " failed in another thread", e.getCause());
    }
  }

  /** A fresh module from memory or, for a verified source, from its file; null if none. */
  private byte[] cached(String cacheKey, String hash) {
    long now = clock.getAsLong();
    synchronized (cache) {
      Cached hit = cache.get(cacheKey);
      if (hit != null) {
        if (now - hit.expiresAt() < 0) {
          return hit.code().clone();
        }
        cache.remove(cacheKey);
        cachedBytes -= hit.code().length;
        extension.onRemoteCacheEntriesChanged(cache.size());
      }
    }
    if (hash.isEmpty() || directory() == null) {
      return null;
    }
    Path file = directory.resolve(hash + ".wasm");
    try {
      if (!Files.isRegularFile(file) || Files.size(file) > maxBytes) {
        return null;
      }
      long stored = Files.getLastModifiedTime(file).toMillis();
      if (now - (stored + cacheTtl.toMillis()) >= 0) {
        Files.deleteIfExists(file);
        return null;
      }
      byte[] code = Files.readAllBytes(file);
      if (!sha256(code).equals(hash)) {
        Files.deleteIfExists(file); // damaged: fetch it again
        return null;
      }
      remember(hash, code, stored + cacheTtl.toMillis());
      return code.clone();
    } catch (IOException e) {
      return null;
    }
  }

  private void remember(String cacheKey, byte[] code) {
    remember(cacheKey, code, clock.getAsLong() + cacheTtl.toMillis());
  }

  private void remember(String cacheKey, byte[] code, long expiresAt) {
    synchronized (cache) {
      Cached old = cache.put(cacheKey, new Cached(code, expiresAt));
      if (old != null) {
        cachedBytes -= old.code().length;
      }
      cachedBytes += code.length;
      Iterator<Map.Entry<String, Cached>> eldest = cache.entrySet().iterator();
      while ((cache.size() > maxCacheEntries || cachedBytes > maxCacheBytes) && eldest.hasNext()) {
        Map.Entry<String, Cached> e = eldest.next();
        cachedBytes -= e.getValue().code().length;
        eldest.remove();
      }
      extension.onRemoteCacheEntriesChanged(cache.size());
    }
  }

  /**
   * Returns how many modules the in-memory cache holds (expired ones included until next looked
   * up).
   *
   * @return the count
   */
  public int cacheEntries() {
    synchronized (cache) {
      return cache.size();
    }
  }

  /**
   * Returns how many bytes of modules the in-memory cache holds.
   *
   * @return the total size
   */
  public long cacheBytes() {
    synchronized (cache) {
      return cachedBytes;
    }
  }

  /** Empties the in-memory cache, the negative cache and the verified files on disk. */
  public void clear() {
    synchronized (cache) {
      cache.clear();
      cachedBytes = 0;
    }
    negative.clear();
    Path dir = directory;
    if (dir != null) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.wasm")) {
        for (Path f : files) {
          Files.deleteIfExists(f);
        }
      } catch (IOException e) {
        // a file that cannot be deleted is checked against its hash when read
      }
    }
    extension.onRemoteCacheEntriesChanged(0);
  }

  /**
   * Returns the directory downloads go to: the configured one, or a private temporary directory
   * made on first use.
   *
   * @return the directory, or null if it could not be made
   */
  private synchronized Path directory() {
    if (directory == null) {
      try {
        if (configuredDirectory != null) {
          directory = Files.createDirectories(configuredDirectory);
        } else {
          directory = Files.createTempDirectory("proxy-wasm-remote-");
        }
      } catch (IOException e) {
        return null;
      }
    }
    return directory;
  }

  private byte[] file(URI source, String hash) throws RemoteCodeException {
    Path path = Path.of(source).toAbsolutePath().normalize();
    if (fileRoots.isEmpty()) {
      throw new IllegalArgumentException(
          "module file "
              + path
              + " is not allowed: no file roots are configured (RemoteCode.Builder.fileRoot)");
    }
    if (!under(path, false)) {
      throw new IllegalArgumentException(
          "module file " + path + " is outside the allowed roots " + fileRoots);
    }
    byte[] code;
    try {
      Path real = path.toRealPath();
      if (!under(real, true)) {
        throw new IllegalArgumentException(
            "module file "
                + path
                + " resolves to "
                + real
                + ", outside the allowed roots "
                + fileRoots);
      }
      long size = Files.size(real);
      if (size > maxBytes) {
        throw new RemoteCodeException(
            "module " + path + " is " + size + " bytes, over the limit of " + maxBytes, null);
      }
      code = Files.readAllBytes(real);
    } catch (IOException e) {
      throw new RemoteCodeException("cannot read module " + path + ": " + describe(e), e);
    }
    if (!hash.isEmpty()) {
      verify(source, hash, sha256(code));
    }
    return code;
  }

  private boolean under(Path path, boolean real) {
    for (Path root : fileRoots) {
      Path r = root;
      if (real) {
        try {
          r = root.toRealPath();
        } catch (IOException e) {
          continue; // a root that does not exist holds nothing
        }
      }
      if (path.startsWith(r)) {
        return true;
      }
    }
    return false;
  }

  private byte[] download(URI source, String hash) throws RemoteCodeException {
    Path dir = directory();
    if (dir == null) {
      throw new RemoteCodeException(
          "cannot download " + source + ": the cache directory cannot be created", null);
    }
    RemoteCodeException last = null;
    for (int attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        long factor = 1L << Math.min(attempt - 1, 20);
        Duration wait = backoffBase.multipliedBy(factor);
        if (wait.compareTo(backoffMax) > 0) {
          wait = backoffMax;
        }
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new RemoteCodeException("fetching " + source + " was interrupted", e);
        }
      }
      try {
        return once(dir, source, hash);
      } catch (Retryable e) {
        last =
            new RemoteCodeException(
                "fetching "
                    + source
                    + " failed after "
                    + (attempt + 1)
                    + " attempt(s): "
                    + e.getMessage(),
                e.getCause());
      }
    }
    throw last;
  }

  /** A failure worth another attempt: connection trouble, a timeout, a 5xx. */
  private static final class Retryable extends Exception {
    private static final long serialVersionUID = 1L;

    Retryable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** One attempt: the body streamed to a temporary file, verified, moved into place, read. */
  private byte[] once(Path dir, URI source, String hash) throws Retryable, RemoteCodeException {
    Path temp;
    try {
      temp = Files.createTempFile(dir, ".download-", ".tmp");
    } catch (IOException e) {
      throw new RemoteCodeException(
          "cannot download " + source + ": cannot write to " + dir + ": " + describe(e), e);
    }
    try {
      BodyWriter writer;
      try {
        writer = new BodyWriter(temp, maxBytes);
      } catch (IOException e) {
        throw new RemoteCodeException(
            "cannot download " + source + ": cannot write to " + temp + ": " + describe(e), e);
      }
      HttpRequest request = HttpRequest.newBuilder(source).timeout(timeout).GET().build();
      CompletableFuture<HttpResponse<BodyWriter.Download>> response =
          client.sendAsync(request, writer::start);
      BodyWriter.Download body;
      try {
        body = response.get(timeout.toNanos(), TimeUnit.NANOSECONDS).body();
      } catch (TimeoutException e) {
        response.cancel(true);
        writer.abort();
        throw new Retryable("timed out after " + timeout.toMillis() + " ms", null);
      } catch (InterruptedException e) {
        response.cancel(true);
        writer.abort();
        Thread.currentThread().interrupt();
        throw new RemoteCodeException("fetching " + source + " was interrupted", e);
      } catch (ExecutionException e) {
        writer.abort();
        Throwable cause = e.getCause();
        while (cause instanceof java.util.concurrent.CompletionException
            && cause.getCause() != null) {
          cause = cause.getCause();
        }
        if (cause instanceof IOException && cause.getCause() instanceof BodyWriter.TooLarge t) {
          cause = t;
        }
        if (cause instanceof BodyWriter.TooLarge tooLarge) {
          throw new RemoteCodeException(
              tooLarge.declared() >= 0
                  ? "module at "
                      + source
                      + " is "
                      + tooLarge.declared()
                      + " bytes, over the limit of "
                      + maxBytes
                  : "module at " + source + " is over the limit of " + maxBytes + " bytes",
              null);
        }
        if (cause instanceof IOException io) {
          throw new Retryable(describe(io), io);
        }
        throw new Retryable(String.valueOf(cause), cause);
      }
      int status = body.status();
      if (status >= 500) {
        throw new Retryable("status " + status, null);
      }
      if (status != 200) {
        throw new RemoteCodeException("fetching " + source + " answered status " + status, null);
      }
      if (!hash.isEmpty()) {
        verify(source, hash, body.sha256());
      }
      Path file = dir.resolve(body.sha256() + ".wasm");
      try {
        try {
          Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(clock.getAsLong()));
        byte[] code = Files.readAllBytes(file);
        if (!sha256(code).equals(body.sha256())) {
          Files.deleteIfExists(file);
          throw new Retryable("the downloaded file changed on disk", null);
        }
        return code;
      } catch (IOException e) {
        throw new RemoteCodeException(
            "cannot store " + source + " in " + dir + ": " + describe(e), e);
      }
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // left for the next clear()
      }
    }
  }

  private static void verify(URI source, String expected, String actual)
      throws RemoteCodeException {
    if (!actual.equals(expected)) {
      throw new RemoteCodeException(
          "module at " + source + " has sha256 " + actual + ", but " + expected + " was expected",
          null);
    }
  }

  /** An I/O failure in words. */
  static String describe(IOException e) {
    if (e instanceof HttpTimeoutException) {
      return "timed out";
    }
    if (e instanceof ConnectException) {
      return "connection refused";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? "input/output error" : m;
  }

  /**
   * Returns the SHA-256 of bytes in lower-case hex.
   *
   * @param bytes the bytes
   * @return 64 hex digits
   */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** Configures a {@link RemoteCode}. */
  public static final class Builder {
    private final WasmExtension extension;
    private HttpClient client;
    private Duration cacheTtl = Duration.ofHours(24);
    private Duration negativeCacheTtl = Duration.ofSeconds(10);
    private int retries = 3;
    private Duration backoffBase = Duration.ofMillis(200);
    private Duration backoffMax = Duration.ofSeconds(5);
    private Duration timeout = Duration.ofSeconds(30);
    private long maxBytes = 256L << 20;
    private int maxCacheEntries = 64;
    private long maxCacheBytes = 1L << 30;
    private final List<Path> fileRoots = new ArrayList<>();
    private boolean allowUnverifiedRemote;
    private Path cacheDirectory;
    private LongSupplier clock = System::currentTimeMillis;
    private Sleeper sleeper = d -> Thread.sleep(d.toMillis());

    private Builder(WasmExtension extension) {
      this.extension = Objects.requireNonNull(extension, "extension");
    }

    /**
     * Uses this HTTP client.
     *
     * @param client the client
     * @return this builder
     */
    public Builder httpClient(HttpClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * How long a fetched module stays cached; 24 hours by default, as in Envoy.
     *
     * @param ttl the time to live, positive
     * @return this builder
     */
    public Builder cacheTtl(Duration ttl) {
      this.cacheTtl = positive(ttl, "cacheTtl");
      return this;
    }

    /**
     * How long a failed fetch is remembered for its source; 10 seconds by default, as in Envoy.
     *
     * @param ttl the time to live, positive
     * @return this builder
     */
    public Builder negativeCacheTtl(Duration ttl) {
      this.negativeCacheTtl = positive(ttl, "negativeCacheTtl");
      return this;
    }

    /**
     * How many times a failed download is retried; 3 by default.
     *
     * @param retries zero or more
     * @return this builder
     */
    public Builder retries(int retries) {
      if (retries < 0) {
        throw new IllegalArgumentException("retries must not be negative: " + retries);
      }
      this.retries = retries;
      return this;
    }

    /**
     * The wait before the first retry, doubled for each next one up to a maximum; 200 ms and 5 s by
     * default.
     *
     * @param base the first wait
     * @param max the longest wait
     * @return this builder
     */
    public Builder backoff(Duration base, Duration max) {
      this.backoffBase = positive(base, "backoff base");
      this.backoffMax = positive(max, "backoff max");
      return this;
    }

    /**
     * How long one download attempt may take, from the request to the last byte of the body; 30
     * seconds by default.
     *
     * @param timeout the timeout, positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
      return this;
    }

    /**
     * The largest module accepted; 256 MiB by default. A download stops as soon as it passes it.
     *
     * @param maxBytes the limit in bytes, positive
     * @return this builder
     */
    public Builder maxBytes(long maxBytes) {
      if (maxBytes <= 0) {
        throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
      }
      this.maxBytes = maxBytes;
      return this;
    }

    /**
     * Bounds the in-memory cache; 64 modules and 1 GiB by default. Past either bound the least
     * recently used modules are dropped from memory (their verified files stay on disk).
     *
     * @param entries the most modules, positive
     * @param bytes the most bytes, positive
     * @return this builder
     */
    public Builder maxCache(int entries, long bytes) {
      if (entries <= 0 || bytes <= 0) {
        throw new IllegalArgumentException(
            "cache bounds must be positive: " + entries + " entries, " + bytes + " bytes");
      }
      this.maxCacheEntries = entries;
      this.maxCacheBytes = bytes;
      return this;
    }

    /**
     * Allows {@code file:} sources under this directory (and its subdirectories, symbolic links
     * resolved). Without any root, every {@code file:} source is refused.
     *
     * @param root a directory
     * @return this builder
     */
    public Builder fileRoot(Path root) {
      this.fileRoots.add(Objects.requireNonNull(root, "root").toAbsolutePath().normalize());
      return this;
    }

    /**
     * Allows {@code http(s)} sources without a sha256: their bytes are taken as they come. Off by
     * default; a module nobody can verify is code from whoever controls the server or the network.
     *
     * @param allow true to allow them
     * @return this builder
     */
    public Builder allowUnverifiedRemote(boolean allow) {
      this.allowUnverifiedRemote = allow;
      return this;
    }

    /**
     * Where downloads are written and verified modules kept, as {@code <sha256>.wasm}; by default a
     * private temporary directory made on first use.
     *
     * @param directory the directory, made if missing
     * @return this builder
     */
    public Builder cacheDirectory(Path directory) {
      this.cacheDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * Uses another clock for the cache TTLs, for tests.
     *
     * @param epochMillis the current time in milliseconds
     * @return this builder
     */
    public Builder clock(LongSupplier epochMillis) {
      this.clock = Objects.requireNonNull(epochMillis, "epochMillis");
      return this;
    }

    /**
     * Uses another way to wait between retries, for tests.
     *
     * @param sleeper the waiter
     * @return this builder
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Creates the loader.
     *
     * @return the loader
     */
    public RemoteCode build() {
      return new RemoteCode(this);
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }
  }
}

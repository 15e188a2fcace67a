package io.proxywasm.remote;

import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
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
  private final Duration negativeCacheTtl;
  private final boolean allowUnverifiedRemote;
  private final LongSupplier clock;
  private final FileSource files;
  private final Downloader downloader;
  private final CodeCache cache;

  /** Failed fetches by source (URL and hash), until they expire. */
  private final Map<String, Failed> negative = new ConcurrentHashMap<>();

  /** Downloads under way by source, shared by the threads asking for the same one. */
  private final Map<String, CompletableFuture<byte[]>> inFlight = new ConcurrentHashMap<>();

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
    this.negativeCacheTtl = b.negativeCacheTtl;
    this.allowUnverifiedRemote = b.allowUnverifiedRemote;
    this.clock = b.clock;
    this.files = new FileSource(b.fileRoots, b.maxBytes);
    this.downloader = new Downloader(b);
    this.cache = new CodeCache(b);
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
    if (!hash.isEmpty() && !isSha256(hash)) {
      throw new IllegalArgumentException(
          "sha256 of " + source + " must be 64 hex digits, not '" + sha256 + "'");
    }
    if (scheme.equals("file")) {
      return files.read(source, hash);
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

    byte[] hit = cache.get(cacheKey, hash);
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
      hit = cache.get(cacheKey, hash); // another thread may have finished just now
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
      cache.put(cacheKey, code);
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

  private byte[] download(URI source, String hash) throws RemoteCodeException {
    Path dir = cache.directory();
    if (dir == null) {
      throw new RemoteCodeException(
          "cannot download " + source + ": the cache directory cannot be created", null);
    }
    return downloader.download(dir, source, hash);
  }

  /**
   * Returns how many modules the in-memory cache holds (expired ones included until next looked
   * up).
   *
   * @return the count
   */
  public int cacheEntries() {
    return cache.entries();
  }

  /**
   * Returns how many bytes of modules the in-memory cache holds.
   *
   * @return the total size
   */
  public long cacheBytes() {
    return cache.bytes();
  }

  /** Empties the in-memory cache, the negative cache and the verified files on disk. */
  public void clear() {
    negative.clear();
    cache.clear();
  }

  /**
   * Whether a text is a SHA-256 as {@link #fetch} takes it: 64 hex digits, in either case, white
   * space around them ignored. Lets a configuration reader refuse a malformed hash where it reads
   * it.
   *
   * @param hex the text
   * @return true for 64 hex digits
   */
  public static boolean isSha256(String hex) {
    return SHA256.matcher(hex.strip().toLowerCase(Locale.ROOT)).matches();
  }

  /**
   * Returns the SHA-256 of bytes in lower-case hex.
   *
   * @param bytes the bytes
   * @return 64 hex digits
   */
  public static String sha256(byte[] bytes) {
    return ModuleBytes.sha256(bytes);
  }

  /** Configures a {@link RemoteCode}. */
  public static final class Builder {
    final WasmExtension extension;
    HttpClient client;
    Duration cacheTtl = Duration.ofHours(24);
    Duration negativeCacheTtl = Duration.ofSeconds(10);
    int retries = 3;
    Duration backoffBase = Duration.ofMillis(200);
    Duration backoffMax = Duration.ofSeconds(5);
    Duration timeout = Duration.ofSeconds(30);
    long maxBytes = 256L << 20;
    int maxCacheEntries = 64;
    long maxCacheBytes = 1L << 30;
    final List<Path> fileRoots = new ArrayList<>();
    boolean allowUnverifiedRemote;
    Path cacheDirectory;
    LongSupplier clock = System::currentTimeMillis;
    Sleeper sleeper = d -> Thread.sleep(d.toMillis());

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

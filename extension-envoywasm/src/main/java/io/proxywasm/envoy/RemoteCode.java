package io.proxywasm.envoy;

import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Loads plugin code from an {@code http(s)} URL or a local file, as Envoy's remote data sources do:
 * an {@code http(s)} module needs its SHA-256, and the downloaded bytes must match it. Modules are
 * cached by hash for a TTL (24 hours by default); a failed fetch is cached too (negatively, 10
 * seconds by default) so that a broken source is not hammered; connection failures, timeouts and
 * 5xx answers are retried with exponential backoff. Every lookup raises Envoy's events on the
 * extension ({@code RemoteLoadCacheHit}, {@code NegativeHit}, {@code Miss}, {@code FetchSuccess},
 * {@code FetchFailure}) and keeps {@code wasm.remote_load_cache_entries} current.
 *
 * <p>A module that cannot be had is never an exception escaping into the gateway: {@link #load}
 * registers the plugin as {@linkplain ProxyWasmHost#unavailable unavailable}, so its streams get
 * its fail policy, and says why. Thread-safe.
 */
public final class RemoteCode {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

  private final WasmExtension extension;
  private final HttpClient client;
  private final Duration cacheTtl;
  private final Duration negativeCacheTtl;
  private final int retries;
  private final Duration backoffBase;
  private final Duration backoffMax;
  private final Duration timeout;
  private final long maxBytes;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;

  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final Map<String, Failed> negative = new ConcurrentHashMap<>();

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
    this.nanoTime = b.nanoTime;
    this.sleeper = b.sleeper;
  }

  /**
   * Starts a loader that reports to an extension (the host's, {@link ProxyWasmHost#extension()}).
   *
   * @param extension where events and the cache size go
   * @return a builder with Envoy's defaults
   */
  public static Builder builder(WasmExtension extension) {
    return new Builder(extension);
  }

  /**
   * Fetches a plugin's code and loads the plugin; if the code cannot be had, registers the plugin
   * as unavailable so that its fail policy applies to its streams.
   *
   * @param host the host
   * @param config the plugin's configuration; its code is set from the source
   * @param source an {@code http(s)} URL, or a {@code file:} URL
   * @param sha256 the module's SHA-256 in hex; required for {@code http(s)}, checked if given for
   *     files
   * @return the loaded plugin, or an unavailable one
   * @throws PluginLoadException if the code was had but the host could not load it
   * @throws IllegalArgumentException for a source or hash that is not valid
   */
  public Plugin load(ProxyWasmHost host, PluginConfig.Builder config, URI source, String sha256)
      throws PluginLoadException {
    PluginConfig probe = config.code(new byte[0]).build();
    PluginInfo info = new PluginInfo(probe.name(), probe.rootId(), probe.vmId(), probe.runtime());
    byte[] code;
    try {
      code = fetch(source, sha256, info);
    } catch (RemoteCodeException e) {
      return host.unavailable(probe, e.getMessage());
    }
    return host.load(config.code(code).build());
  }

  /**
   * Returns a module's bytes, from the cache or the source.
   *
   * @param source an {@code http(s)} URL, or a {@code file:} URL
   * @param sha256 the module's SHA-256 in hex; required for {@code http(s)}
   * @param plugin the plugin the code is for, named in events
   * @return the module
   * @throws RemoteCodeException naming the source and what went wrong
   * @throws IllegalArgumentException for a source or hash that is not valid
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
    if (hash.isEmpty()) {
      throw new IllegalArgumentException("remote code from " + source + " needs its sha256");
    }
    long now = nanoTime.getAsLong();
    Cached hit = cache.get(hash);
    if (hit != null) {
      if (now - hit.expiresAt() < 0) {
        extension.onEvent(WasmEvent.REMOTE_LOAD_CACHE_HIT, plugin, source.toString());
        return hit.code().clone();
      }
      cache.remove(hash, hit);
      extension.onRemoteCacheEntriesChanged(cache.size());
    }
    Failed failed = negative.get(hash);
    if (failed != null) {
      if (now - failed.expiresAt() < 0) {
        extension.onEvent(WasmEvent.REMOTE_LOAD_CACHE_NEGATIVE_HIT, plugin, failed.reason());
        throw new RemoteCodeException(
            failed.reason() + " (failure cached for " + negativeCacheTtl.toMillis() + " ms)", null);
      }
      negative.remove(hash, failed);
    }
    extension.onEvent(WasmEvent.REMOTE_LOAD_CACHE_MISS, plugin, source.toString());
    byte[] code;
    try {
      code = download(source, hash);
    } catch (RemoteCodeException e) {
      negative.put(
          hash, new Failed(e.getMessage(), nanoTime.getAsLong() + negativeCacheTtl.toNanos()));
      extension.onEvent(WasmEvent.REMOTE_LOAD_CACHE_FETCH_FAILURE, plugin, e.getMessage());
      throw e;
    }
    cache.put(hash, new Cached(code, nanoTime.getAsLong() + cacheTtl.toNanos()));
    extension.onRemoteCacheEntriesChanged(cache.size());
    extension.onEvent(WasmEvent.REMOTE_LOAD_CACHE_FETCH_SUCCESS, plugin, source.toString());
    return code.clone();
  }

  /**
   * Returns how many modules the cache holds (expired ones included until next looked up).
   *
   * @return the count
   */
  public int cacheEntries() {
    return cache.size();
  }

  /** Empties the cache and the negative cache. */
  public void clear() {
    cache.clear();
    negative.clear();
    extension.onRemoteCacheEntriesChanged(0);
  }

  private byte[] file(URI source, String hash) throws RemoteCodeException {
    Path path = Path.of(source);
    byte[] code;
    try {
      long size = Files.size(path);
      if (size > maxBytes) {
        throw new RemoteCodeException(
            "module " + path + " is " + size + " bytes, over the limit of " + maxBytes, null);
      }
      code = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new RemoteCodeException("cannot read module " + path + ": " + e, e);
    }
    if (!hash.isEmpty()) {
      verify(source, hash, code);
    }
    return code;
  }

  private byte[] download(URI source, String hash) throws RemoteCodeException {
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
        byte[] code = once(source);
        verify(source, hash, code);
        return code;
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

  private byte[] once(URI source) throws Retryable, RemoteCodeException {
    HttpRequest request = HttpRequest.newBuilder(source).timeout(timeout).GET().build();
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new Retryable(e.toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RemoteCodeException("fetching " + source + " was interrupted", e);
    }
    try (InputStream body = response.body()) {
      int status = response.statusCode();
      if (status >= 500) {
        throw new Retryable("status " + status, null);
      }
      if (status != 200) {
        throw new RemoteCodeException("fetching " + source + " answered status " + status, null);
      }
      long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
      if (declared > maxBytes) {
        throw new RemoteCodeException(
            "module at " + source + " is " + declared + " bytes, over the limit of " + maxBytes,
            null);
      }
      byte[] code = body.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
      if (code.length > maxBytes) {
        throw new RemoteCodeException(
            "module at " + source + " is over the limit of " + maxBytes + " bytes", null);
      }
      return code;
    } catch (IOException e) {
      throw new Retryable(e.toString(), e);
    }
  }

  private static void verify(URI source, String expected, byte[] code) throws RemoteCodeException {
    String actual = sha256(code);
    if (!actual.equals(expected)) {
      throw new RemoteCodeException(
          "module at " + source + " has sha256 " + actual + ", but " + expected + " was expected",
          null);
    }
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
    private LongSupplier nanoTime = System::nanoTime;
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
     * How long a failed fetch is remembered; 10 seconds by default, as in Envoy.
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
     * How long one download attempt may take; 30 seconds by default.
     *
     * @param timeout the timeout, positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
      return this;
    }

    /**
     * The largest module accepted; 256 MiB by default.
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
     * Uses another time source for the cache TTLs, for tests.
     *
     * @param nanoTime a monotonic clock in nanoseconds
     * @return this builder
     */
    public Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
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

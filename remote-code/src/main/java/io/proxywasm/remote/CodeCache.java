package io.proxywasm.remote;

import io.proxywasm.spi.WasmExtension;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Fetched modules: a bounded in-memory cache (least recently used first out, by count and bytes) in
 * front of the verified {@code <sha256>.wasm} files of the cache directory, both for a TTL. Keeps
 * the extension's {@code wasm.remote_load_cache_entries} current. Thread-safe.
 */
final class CodeCache {
  private final WasmExtension extension;
  private final LongSupplier clock;
  private final Duration ttl;
  private final long maxBytes;
  private final int maxEntries;
  private final long maxTotalBytes;
  private final Path configuredDirectory;

  /** Modules by sha256 (or by URL, for unverified sources), least recently used first. */
  private final LinkedHashMap<String, Cached> memory = new LinkedHashMap<>(16, 0.75f, true);

  private long bytes;
  private Path directory;

  private record Cached(byte[] code, long expiresAt) {}

  CodeCache(RemoteCode.Builder b) {
    this.extension = b.extension;
    this.clock = b.clock;
    this.ttl = b.cacheTtl;
    this.maxBytes = b.maxBytes;
    this.maxEntries = b.maxCacheEntries;
    this.maxTotalBytes = b.maxCacheBytes;
    this.configuredDirectory = b.cacheDirectory;
  }

  /**
   * A fresh module from memory or, for a verified source ({@code hash} not empty), from its file; a
   * copy the caller may keep, or null if none.
   */
  byte[] get(String key, String hash) {
    long now = clock.getAsLong();
    synchronized (memory) {
      Cached hit = memory.get(key);
      if (hit != null) {
        if (now - hit.expiresAt() < 0) {
          return hit.code().clone();
        }
        memory.remove(key);
        bytes -= hit.code().length;
        extension.onRemoteCacheEntriesChanged(memory.size());
      }
    }
    if (hash.isEmpty()) {
      return null; // an unverified source is kept in memory only
    }
    Path dir = directory();
    if (dir == null) {
      return null;
    }
    Path file = dir.resolve(hash + ".wasm");
    try {
      if (!Files.isRegularFile(file) || Files.size(file) > maxBytes) {
        return null;
      }
      long stored = Files.getLastModifiedTime(file).toMillis();
      if (now - (stored + ttl.toMillis()) >= 0) {
        Files.deleteIfExists(file);
        return null;
      }
      byte[] code = Files.readAllBytes(file);
      if (!ModuleBytes.sha256(code).equals(hash)) {
        Files.deleteIfExists(file); // damaged: fetch it again
        return null;
      }
      put(hash, code, stored + ttl.toMillis());
      return code.clone();
    } catch (IOException e) {
      return null;
    }
  }

  /** Keeps a module in memory for the TTL; the caller no longer changes {@code code}. */
  void put(String key, byte[] code) {
    put(key, code, clock.getAsLong() + ttl.toMillis());
  }

  private void put(String key, byte[] code, long expiresAt) {
    synchronized (memory) {
      Cached old = memory.put(key, new Cached(code, expiresAt));
      if (old != null) {
        bytes -= old.code().length;
      }
      bytes += code.length;
      Iterator<Map.Entry<String, Cached>> eldest = memory.entrySet().iterator();
      while ((memory.size() > maxEntries || bytes > maxTotalBytes) && eldest.hasNext()) {
        Map.Entry<String, Cached> e = eldest.next();
        bytes -= e.getValue().code().length;
        eldest.remove();
      }
      extension.onRemoteCacheEntriesChanged(memory.size());
    }
  }

  /** How many modules memory holds (expired ones included until next looked up). */
  int entries() {
    synchronized (memory) {
      return memory.size();
    }
  }

  /** How many bytes of modules memory holds. */
  long bytes() {
    synchronized (memory) {
      return bytes;
    }
  }

  /** Empties memory and deletes the verified files on disk. */
  void clear() {
    synchronized (memory) {
      memory.clear();
      bytes = 0;
    }
    Path dir;
    synchronized (this) {
      dir = directory;
    }
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
   * The directory downloads go to: the configured one, or a private temporary directory made on
   * first use; null if it could not be made.
   */
  synchronized Path directory() {
    if (directory == null) {
      try {
        directory =
            configuredDirectory != null
                ? Files.createDirectories(configuredDirectory)
                : Files.createTempDirectory("proxy-wasm-remote-");
      } catch (IOException e) {
        return null;
      }
    }
    return directory;
  }
}

package io.proxywasm.remote;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * {@code http(s)} sources: each attempt streams the body to a temporary file, hashed as it arrives
 * and cut off at the size limit, then moves the verified module into place as {@code
 * <sha256>.wasm}; connection failures, timeouts and 5xx answers are retried with exponential
 * backoff.
 */
final class Downloader {
  private final HttpClient client;
  private final Duration timeout;
  private final int retries;
  private final Duration backoffBase;
  private final Duration backoffMax;
  private final RemoteCode.Sleeper sleeper;
  private final long maxBytes;
  private final LongSupplier clock;

  Downloader(RemoteCode.Builder b) {
    this.client =
        b.client != null
            ? b.client
            : HttpClient.newBuilder()
                .connectTimeout(b.timeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    this.timeout = b.timeout;
    this.retries = b.retries;
    this.backoffBase = b.backoffBase;
    this.backoffMax = b.backoffMax;
    this.sleeper = b.sleeper;
    this.maxBytes = b.maxBytes;
    this.clock = b.clock;
  }

  /** Downloads a module into a directory, with retries; its bytes, verified if a hash is given. */
  byte[] download(Path dir, URI source, String hash) throws RemoteCodeException {
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
          "cannot download " + source + ": cannot write to " + dir + ": " + ModuleBytes.describe(e),
          e);
    }
    try {
      BodyWriter.Download body = receive(temp, source);
      int status = body.status();
      if (status >= 500) {
        throw new Retryable("status " + status, null);
      }
      if (status != 200) {
        throw new RemoteCodeException("fetching " + source + " answered status " + status, null);
      }
      if (!hash.isEmpty()) {
        ModuleBytes.verify(source, hash, body.sha256());
      }
      return store(temp, dir.resolve(body.sha256() + ".wasm"), body.sha256(), source, dir);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // left for the next clear()
      }
    }
  }

  /** Sends the request and streams the body into {@code temp} within the timeout. */
  private BodyWriter.Download receive(Path temp, URI source) throws Retryable, RemoteCodeException {
    BodyWriter writer;
    try {
      writer = new BodyWriter(temp, maxBytes);
    } catch (IOException e) {
      throw new RemoteCodeException(
          "cannot download "
              + source
              + ": cannot write to "
              + temp
              + ": "
              + ModuleBytes.describe(e),
          e);
    }
    HttpRequest request = HttpRequest.newBuilder(source).timeout(timeout).GET().build();
    CompletableFuture<HttpResponse<BodyWriter.Download>> response =
        client.sendAsync(request, writer::start);
    try {
      return response.get(timeout.toNanos(), TimeUnit.NANOSECONDS).body();
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
      throw failure(e.getCause(), source);
    }
  }

  /** What a failed exchange means: over the size limit (final), or worth another attempt. */
  private RemoteCodeException failure(Throwable cause, URI source) throws Retryable {
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof IOException && cause.getCause() instanceof BodyWriter.TooLarge t) {
      cause = t;
    }
    if (cause instanceof BodyWriter.TooLarge tooLarge) {
      return new RemoteCodeException(
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
      throw new Retryable(ModuleBytes.describe(io), io);
    }
    throw new Retryable(String.valueOf(cause), cause);
  }

  /** Moves a verified download into place and reads it back, checking nothing changed it. */
  private byte[] store(Path temp, Path file, String sha256, URI source, Path dir)
      throws Retryable, RemoteCodeException {
    try {
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      Files.setLastModifiedTime(file, FileTime.fromMillis(clock.getAsLong()));
      byte[] code = Files.readAllBytes(file);
      if (!ModuleBytes.sha256(code).equals(sha256)) {
        Files.deleteIfExists(file);
        throw new Retryable("the downloaded file changed on disk", null);
      }
      return code;
    } catch (IOException e) {
      throw new RemoteCodeException(
          "cannot store " + source + " in " + dir + ": " + ModuleBytes.describe(e), e);
    }
  }
}

package io.proxywasm.remote;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Streams a response body to a file, hashing it as it arrives and stopping as soon as it passes the
 * size limit; the body is never held in memory. A response other than 200 is not read at all.
 */
final class BodyWriter implements HttpResponse.BodySubscriber<BodyWriter.Download> {
  /** What was received: the status, and for a 200 the body's SHA-256 and size. */
  record Download(int status, String sha256, long size) {}

  /** The body passed the limit; {@code declared} is its Content-Length, or -1. */
  static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;
    private final long declared;

    TooLarge(long declared) {
      super("over the size limit");
      this.declared = declared;
    }

    long declared() {
      return declared;
    }
  }

  private final CompletableFuture<Download> result = new CompletableFuture<>();
  private final FileChannel out;
  private final MessageDigest sha;
  private final long maxBytes;
  private int status;
  private long declared = -1;
  private long received;
  private Flow.Subscription subscription;
  private boolean closed;

  BodyWriter(Path file, long maxBytes) throws IOException {
    this.out =
        FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    this.maxBytes = maxBytes;
    try {
      this.sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** The body handler: called with the status and headers once they arrive. */
  HttpResponse.BodySubscriber<Download> start(HttpResponse.ResponseInfo info) {
    synchronized (this) {
      this.status = info.statusCode();
      this.declared = info.headers().firstValueAsLong("content-length").orElse(-1);
    }
    return this;
  }

  @Override
  public CompletionStage<Download> getBody() {
    return result;
  }

  @Override
  public synchronized void onSubscribe(Flow.Subscription s) {
    this.subscription = s;
    if (closed) {
      s.cancel();
      return;
    }
    if (status != 200) {
      finish(s, null, new Download(status, "", 0));
      return;
    }
    if (declared > maxBytes) {
      finish(s, new TooLarge(declared), null);
      return;
    }
    s.request(1);
  }

  @Override
  public synchronized void onNext(List<ByteBuffer> buffers) {
    if (closed) {
      return;
    }
    try {
      for (ByteBuffer b : buffers) {
        received += b.remaining();
        if (received > maxBytes) {
          finish(subscription, new TooLarge(-1), null);
          return;
        }
        sha.update(b.duplicate());
        while (b.hasRemaining()) {
          out.write(b);
        }
      }
    } catch (IOException e) {
      finish(subscription, e, null);
      return;
    }
    subscription.request(1);
  }

  @Override
  public synchronized void onError(Throwable t) {
    finish(null, t, null);
  }

  @Override
  public synchronized void onComplete() {
    if (closed) {
      return;
    }
    String hex = HexFormat.of().formatHex(sha.digest());
    finish(null, null, new Download(status, hex, received));
  }

  /** Stops writing: the caller gave up (a timeout or an interrupt). */
  synchronized void abort() {
    finish(subscription, new IOException("download abandoned"), null);
  }

  private void finish(Flow.Subscription cancel, Throwable failure, Download done) {
    if (closed) {
      return;
    }
    closed = true;
    if (cancel != null) {
      cancel.cancel();
    }
    try {
      out.close();
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
        done = null;
      }
    }
    if (failure != null) {
      result.completeExceptionally(failure);
    } else {
      result.complete(done);
    }
  }
}

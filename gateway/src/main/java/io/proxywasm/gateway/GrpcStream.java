package io.proxywasm.gateway;

import io.proxywasm.host.GrpcCallHandler;
import io.proxywasm.spi.Header;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One gRPC call or stream of a plugin on an HTTP/2 request to a cluster: the plugin's messages go
 * out in gRPC framing (a flag byte, then the length in four bytes) as it sends them, its close (or
 * a send with end of stream) ends the request, and cancel resets it. The response's headers become
 * the initial metadata, each message of its body (whatever DATA frames split or merge them) one
 * {@code onMessage}, its trailers the trailing metadata, and {@code grpc-status} / {@code
 * grpc-message} the close. A trailers-only answer (its status in the headers) has empty initial
 * metadata and its headers as trailing metadata; an answer that is neither HTTP 200 nor carries a
 * status closes with the status gRPC maps the HTTP status to.
 *
 * <p>The plugin may send before the cluster's client has opened the request: messages wait, in
 * order, and go out once it is open. Everything is guarded by this object, since the plugin's calls
 * and the client's events may come on different threads; the host delivers the callbacks on the
 * plugin's own loop.
 */
final class GrpcStream implements GrpcCallHandler.Outbound {
  // gRPC status codes
  private static final int UNKNOWN = 2;
  private static final int PERMISSION_DENIED = 7;
  private static final int RESOURCE_EXHAUSTED = 8;
  private static final int UNIMPLEMENTED = 12;
  private static final int INTERNAL = 13;
  private static final int UNAVAILABLE = 14;
  private static final int UNAUTHENTICATED = 16;

  private final GrpcCallHandler.Callbacks callbacks;

  /** The request once the cluster's client opened it. */
  private HttpClientRequest request;

  /** Framed messages the plugin sent before the request was open. */
  private final List<Buffer> queued = new ArrayList<>();

  /** The plugin ended its side (close, or a send with end of stream). */
  private boolean halfClosed;

  /** The plugin cancelled, or the close was reported: nothing more is reported. */
  private boolean done;

  /** Response bytes not yet a whole message. */
  private Buffer received = Buffer.buffer();

  /** The largest message the answer may carry, in bytes; 0 for no limit. */
  private final long maxReceive;

  /**
   * A call whose answer's messages may be as large as a limit.
   *
   * @param callbacks the plugin's callbacks
   * @param maxReceive the largest message the answer may carry, 0 for no limit (Envoy's {@code
   *     max_receive_message_length})
   */
  GrpcStream(GrpcCallHandler.Callbacks callbacks, long maxReceive) {
    this.callbacks = callbacks;
    this.maxReceive = maxReceive;
  }

  /** The cluster's client opened the request: the head goes out, then what the plugin sent. */
  synchronized void opened(HttpClientRequest r, String authority) {
    if (done) {
      Exchange.discard(r);
      return;
    }
    request = r;
    Exchange.authority(r, authority);
    r.setChunked(true);
    r.exceptionHandler(this::failed);
    r.response()
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                answered(ar.result());
              } else {
                failed(ar.cause());
              }
            });
    r.sendHead();
    for (Buffer b : queued) {
      r.write(b);
    }
    queued.clear();
    if (halfClosed) {
      r.end();
    }
  }

  /** The cluster's client could not open the request. */
  synchronized void failed(Throwable t) {
    close(UNAVAILABLE, Gateway.words(t));
  }

  @Override
  public synchronized void send(byte[] message, boolean endOfStream) {
    if (halfClosed || done) {
      return; // the plugin's side is over: nothing more goes out
    }
    Buffer frame =
        Buffer.buffer(5 + message.length)
            .appendByte((byte) 0)
            .appendInt(message.length)
            .appendBytes(message);
    if (request == null) {
      queued.add(frame);
    } else {
      request.write(frame);
    }
    if (endOfStream) {
      close();
    }
  }

  @Override
  public synchronized void close() {
    if (halfClosed || done) {
      return;
    }
    halfClosed = true;
    if (request != null) {
      request.end();
    }
  }

  @Override
  public synchronized void cancel() {
    if (done) {
      return;
    }
    done = true;
    if (request != null) {
      request.reset();
    }
  }

  private synchronized void answered(HttpClientResponse r) {
    if (done) {
      return;
    }
    boolean trailersOnly = r.headers().contains("grpc-status");
    callbacks.onInitialMetadata(trailersOnly ? List.of() : entries(r.headers()));
    if (!trailersOnly && r.statusCode() != 200) {
      close(fromHttp(r.statusCode()), "HTTP status " + r.statusCode());
      return;
    }
    r.exceptionHandler(this::failed);
    r.handler(this::data);
    r.endHandler(
        v -> {
          synchronized (this) {
            if (done) {
              return;
            }
            if (received.length() > 0) {
              close(INTERNAL, "a truncated gRPC message");
              return;
            }
            MultiMap t = trailersOnly ? r.headers() : r.trailers();
            callbacks.onTrailingMetadata(entries(t));
            int status;
            try {
              status = Integer.parseInt(String.valueOf(t.get("grpc-status")).trim());
            } catch (NumberFormatException e) {
              status = UNKNOWN;
            }
            String msg = t.get("grpc-message");
            close(status, msg == null ? "" : percentDecoded(msg));
          }
        });
  }

  /** Response bytes: every whole message they complete goes to the plugin. */
  private synchronized void data(Buffer b) {
    if (done) {
      return;
    }
    received.appendBuffer(b);
    int pos = 0;
    while (received.length() - pos >= 5) {
      long len = received.getUnsignedInt(pos + 1);
      if (maxReceive > 0 && len > maxReceive) {
        // as Envoy's decoder: RESOURCE_EXHAUSTED as soon as the message's length is read
        streamError(
            RESOURCE_EXHAUSTED,
            "a gRPC message of " + len + " bytes, over max_receive_message_length " + maxReceive);
        return;
      }
      if (received.getByte(pos) != 0) {
        streamError(INTERNAL, "a compressed gRPC message, which the gateway does not decompress");
        return;
      }
      if (len > Integer.MAX_VALUE - 5) {
        streamError(INTERNAL, "a gRPC message too large");
        return;
      }
      if (received.length() - pos - 5 < len) {
        break;
      }
      callbacks.onMessage(received.getBytes(pos + 5, pos + 5 + (int) len));
      pos += 5 + (int) len;
    }
    if (pos > 0) {
      received = received.getBuffer(pos, received.length());
    }
  }

  /**
   * The answer cannot be read on: the close is reported and the request reset, even when the
   * plugin's side had ended, as Envoy's gRPC client resets the stream.
   */
  private void streamError(int status, String message) {
    boolean open = !done;
    close(status, message);
    if (open && request != null && halfClosed) {
      request.reset();
    }
  }

  /**
   * Reports the close once; a request still open on the plugin's side is reset, since the call is
   * over.
   */
  private void close(int status, String message) {
    if (done) {
      return;
    }
    done = true;
    callbacks.onClose(status, message);
    if (request != null && !halfClosed) {
      request.reset();
    }
  }

  /** The gRPC status for an HTTP status without one, as gRPC's HTTP mapping says. */
  static int fromHttp(int http) {
    return switch (http) {
      case 400 -> INTERNAL;
      case 401 -> UNAUTHENTICATED;
      case 403 -> PERMISSION_DENIED;
      case 404 -> UNIMPLEMENTED;
      case 429, 502, 503, 504 -> UNAVAILABLE;
      default -> UNKNOWN;
    };
  }

  /** A {@code grpc-message}, whose non-ASCII bytes and {@code %} are percent-encoded. */
  static String percentDecoded(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < s.length()) {
      if (s.charAt(i) == '%' && i + 2 < s.length()) {
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          out.write(hi * 16 + lo);
          i += 3;
          continue;
        }
      }
      int cp = s.codePointAt(i);
      byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
      out.write(b, 0, b.length);
      i += Character.charCount(cp);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** A response's headers or trailers as entries, names in lower case. */
  static List<Header> entries(MultiMap m) {
    List<Header> out = new ArrayList<>();
    if (m != null) {
      m.forEach(e -> out.add(Header.of(Headers.lower(e.getKey()), e.getValue())));
    }
    return out;
  }
}

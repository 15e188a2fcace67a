package io.proxywasm.gateway;

import io.proxywasm.host.GrpcCallHandler;
import io.proxywasm.spi.Header;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
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
 * a send with end of stream) ends the request, and cancel resets it. The answer is reported as
 * Envoy's gRPC client ({@code Grpc::AsyncStreamImpl}) reports it: the response's headers are the
 * initial metadata (empty when they end the answer), each message of its body (whatever DATA frames
 * split or merge them) one {@code onMessage}, its trailers the trailing metadata and their {@code
 * grpc-status} / {@code grpc-message} the close; headers that end the answer are its trailers. An
 * answer whose HTTP status is not 200 closes with CANCELLED (unless its headers end it with a
 * {@code grpc-status}), and an answer that cannot be read on (reset, too large, cut short) closes
 * with empty trailing metadata first. A request the cluster could not open closes as Envoy's local
 * reply to a gRPC request does: UNAVAILABLE, after empty initial metadata and trailing metadata
 * that carries the status. The host passes on a unary call's outcome only.
 *
 * <p>The plugin may send before the cluster's client has opened the request: messages wait, in
 * order, and go out once it is open. Everything is guarded by this object, since the plugin's calls
 * and the client's events may come on different threads; the host delivers the callbacks on the
 * plugin's own loop.
 */
final class GrpcStream implements GrpcCallHandler.Outbound {
  // gRPC status codes
  private static final int CANCELLED = 1;
  private static final int UNKNOWN = 2;
  private static final int RESOURCE_EXHAUSTED = 8;
  private static final int INTERNAL = 13;
  private static final int UNAVAILABLE = 14;

  private final GrpcCallHandler.Callbacks callbacks;

  /** The request once the cluster's client opened it. */
  private HttpClientRequest request;

  /** Framed messages the plugin sent before the request was open. */
  private final List<Buffer> queued = new ArrayList<>();

  /** The plugin ended its side (close, or a send with end of stream). */
  private boolean halfClosed;

  /** The plugin cancelled, or the close was reported: nothing more is reported. */
  private boolean done;

  /** The answer's headers, until it shows whether they ended the answer; then null. */
  private HttpClientResponse unsettled;

  /** The answer's headers arrived. */
  private boolean answered;

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

  /**
   * The cluster's client could not open the request: closed as Envoy answers a gRPC request it
   * could not send upstream, with a local reply in gRPC's trailers-only form (UNAVAILABLE).
   */
  synchronized void failedToConnect(Throwable t) {
    String tls = UpstreamTls.failureReason(t);
    localReply(
        "upstream connect error or disconnect/reset before headers. reset reason: connection failure"
            + (tls == null ? "" : ", transport failure reason: " + tls));
  }

  /** The cluster's HTTP/2 cluster selected no HTTP/2 over TLS: a protocol error, as in Envoy. */
  synchronized void protocolError() {
    localReply(
        "upstream connect error or disconnect/reset before headers. reset reason: protocol error");
  }

  /**
   * The request or its answer was reset: before the answer's headers, as Envoy's local reply
   * (UNAVAILABLE); after them, INTERNAL with no message, as Envoy's {@code onReset}.
   */
  synchronized void failed(Throwable t) {
    if (answered) {
      streamError(INTERNAL, "");
    } else {
      localReply(
          "upstream connect error or disconnect/reset before headers. reset reason: connection"
              + " termination");
    }
  }

  /**
   * Envoy's router answers a gRPC request it could not take upstream with a trailers-only local
   * reply, which its gRPC client reports as empty initial metadata, that reply's headers as
   * trailing metadata, and their status.
   */
  private void localReply(String message) {
    if (done) {
      return;
    }
    callbacks.onInitialMetadata(List.of());
    callbacks.onTrailingMetadata(
        List.of(
            Header.of(":status", "200"),
            Header.of("content-type", "application/grpc"),
            Header.of("grpc-status", Integer.toString(UNAVAILABLE)),
            Header.of("grpc-message", message)));
    close(UNAVAILABLE, message);
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

  /**
   * The answer's headers arrived. Whether they end the answer (HTTP/2 HEADERS with END_STREAM)
   * decides what they are, and shows only once Vert.x has delivered what came with them: the
   * answer's end (they ended it), its first data, or the next turn of the loop (they did not;
   * headers with a {@code grpc-status} wait for data or the end, as they normally end the answer).
   */
  private synchronized void answered(HttpClientResponse r) {
    if (done) {
      return;
    }
    answered = true;
    unsettled = r;
    r.exceptionHandler(this::failed);
    r.handler(this::data);
    r.endHandler(v -> ended(r));
    Context context = Vertx.currentContext();
    if (context == null) {
      settle(false);
    } else if (!r.headers().contains("grpc-status")) {
      context.runOnContext(v -> settleOnNextTurn());
    }
  }

  private synchronized void settleOnNextTurn() {
    if (unsettled != null) {
      settle(false);
    }
  }

  /**
   * Reports the answer's headers as Envoy's {@code AsyncStreamImpl::onHeaders} does: the initial
   * metadata (empty when they end the answer); a status other than 200 closes with CANCELLED (Envoy
   * follows the Google gRPC client there, not gRPC's HTTP mapping) unless the headers end the
   * answer with a {@code grpc-status}, and headers that end the answer are its trailers.
   */
  private void settle(boolean endOfAnswer) {
    HttpClientResponse r = unsettled;
    unsettled = null;
    if (done) {
      return;
    }
    callbacks.onInitialMetadata(endOfAnswer ? List.of() : entries(r.headers()));
    if (r.statusCode() != 200) {
      if (endOfAnswer && r.headers().contains("grpc-status")) {
        trailers(r.headers());
      } else {
        streamError(CANCELLED, "");
      }
    } else if (endOfAnswer) {
      trailers(r.headers());
    }
  }

  /** The answer ended: with trailers, or with the body's last DATA frame (UNKNOWN, as Envoy). */
  private synchronized void ended(HttpClientResponse r) {
    if (unsettled != null) {
      boolean headersOnly = received.length() == 0 && r.trailers().isEmpty();
      settle(headersOnly);
      if (headersOnly) {
        return;
      }
    }
    if (done) {
      return;
    }
    if (received.length() > 0) {
      streamError(INTERNAL, "a truncated gRPC message");
    } else if (r.trailers().isEmpty()) {
      streamError(UNKNOWN, "");
    } else {
      trailers(r.trailers());
    }
  }

  /** Trailing metadata, then the close with its status (UNKNOWN without one) and message. */
  private void trailers(MultiMap t) {
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

  /** Response bytes: every whole message they complete goes to the plugin. */
  private synchronized void data(Buffer b) {
    if (unsettled != null) {
      settle(false);
    }
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
   * The answer cannot be read on: empty trailing metadata and the close are reported and the
   * request reset, even when the plugin's side had ended, as Envoy's {@code streamError}.
   */
  private void streamError(int status, String message) {
    boolean open = !done;
    if (open) {
      callbacks.onTrailingMetadata(List.of());
    }
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

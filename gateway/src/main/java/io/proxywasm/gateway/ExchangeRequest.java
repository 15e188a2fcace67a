package io.proxywasm.gateway;

import io.proxywasm.host.HeaderMap;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client's side of an exchange's request: its headers as Envoy's connection manager hands them
 * to the filters (pseudo-headers; hop-by-hop headers dropped; x-forwarded-proto, x-forwarded-for
 * and no x-envoy-* from outside at the edge; an x-request-id), and its body read with backpressure:
 * reading stops while the upstream or a stopped filter holds more than {@link Exchange#WATERMARK}.
 */
final class ExchangeRequest {
  private final Exchange ex;
  private final HttpServerRequest req;

  /** The request headers, as the filters see and change them. */
  HeaderMap headers;

  String requestId;

  /** No body follows the headers. */
  boolean headersOnly;

  /** Body bytes read from the client. */
  long bytes;

  private boolean pausedByUs;

  /** Where the connection keeps its requests' trailers, or null; and this request's key there. */
  private final DownstreamTrailers trailers;

  private final long trailersKey;

  ExchangeRequest(Exchange ex, HttpServerRequest req, DownstreamTrailers trailers, long key) {
    this.ex = ex;
    this.req = req;
    this.trailers = trailers;
    this.trailersKey = key;
  }

  /** Takes the request: its body waits until the filters and the router can take it. */
  void start() {
    headersOnly = !hasBody();
    if (!headersOnly) {
      req.pause();
      pausedByUs = true;
      req.handler(this::onData);
      req.endHandler(v -> onEnd());
    }
    req.exceptionHandler(e -> ex.abort("downstream error: " + e.getMessage()));
    headers = readHeaders();
  }

  private boolean hasBody() {
    if (req.isEnded()) {
      return false;
    }
    if (req.version() == HttpVersion.HTTP_2) {
      return true;
    }
    String cl = req.headers().get("content-length");
    if (cl != null) {
      return !cl.trim().equals("0");
    }
    String te = req.headers().get("transfer-encoding");
    return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
  }

  private HeaderMap readHeaders() {
    HeaderMap h = new HeaderMap();
    MultiMap in = req.headers();
    String auth = in.get("host");
    if (auth == null) {
      HostAndPort authority = req.authority();
      if (authority != null) {
        auth = authority.port() > 0 ? authority.host() + ":" + authority.port() : authority.host();
      }
    }
    h.add(":authority", auth == null ? "" : auth);
    h.add(":path", req.uri());
    h.add(":method", req.method().name());
    String scheme = req.scheme() == null ? "http" : req.scheme();
    h.add(":scheme", scheme);
    String connectionTokens = in.get("connection");
    for (Map.Entry<String, String> e : in) {
      String name = Headers.lower(e.getKey());
      if (name.equals("host") || Headers.HOP_BY_HOP.contains(name) || name.startsWith(":")) {
        if (name.equals("te") && e.getValue().trim().equalsIgnoreCase("trailers")) {
          h.add(name, e.getValue());
        }
        continue;
      }
      if (connectionTokens != null && Headers.listsToken(connectionTokens, name)) {
        continue;
      }
      h.add(name, e.getValue());
    }
    if (h.indexOf("x-forwarded-proto") < 0) {
      h.add("x-forwarded-proto", scheme);
    }
    if (ex.listener.spec.useRemoteAddress()) {
      SocketAddress peer = req.remoteAddress();
      String ip = peer == null ? null : peer.hostAddress();
      if (ip != null) {
        int xff = h.indexOf("x-forwarded-for");
        h.set("x-forwarded-for", xff < 0 ? ip : h.value(xff) + "," + ip);
      }
      // an edge proxy does not trust x-envoy-* headers from the outside
      List<String> internal = null;
      for (int i = 0; i < h.size(); i++) {
        if (h.name(i).startsWith("x-envoy-")) {
          if (internal == null) {
            internal = new ArrayList<>();
          }
          internal.add(h.name(i));
        }
      }
      if (internal != null) {
        internal.forEach(h::remove);
      }
    }
    int id = h.indexOf("x-request-id");
    if (id >= 0) {
      requestId = h.value(id);
    } else {
      requestId = uuid();
      h.add("x-request-id", requestId);
    }
    return h;
  }

  private static String uuid() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xf000L) | 0x4000L;
    long lo = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  /** Whether the rest of the request is read and dropped: a direct or local reply answers it. */
  private boolean dropsBody() {
    return headersOnly || ex.upstream.endSent() || ex.upstream.isLocalOnly() || ex.localReplied;
  }

  private void onData(Buffer data) {
    if (ex.finished) {
      return;
    }
    bytes += data.length();
    if (dropsBody() || data.length() == 0) {
      // Vert.x hands over the last content of an HTTP/1 chunked body even when it is empty
      return;
    }
    ex.requestChain.data(data, false);
  }

  private void onEnd() {
    HeaderMap t = trailers == null ? null : trailers.take(trailersKey);
    if (ex.finished || dropsBody()) {
      return;
    }
    if (t != null && t.size() > 0) {
      // as Envoy: the body's last callback did not end the stream, the trailers do
      ex.requestChain.trailersAt(0, t);
    } else {
      ex.requestChain.end();
    }
  }

  void pauseReading() {
    if (!pausedByUs) {
      pausedByUs = true;
      req.pause();
    }
  }

  /** Reads on, unless the upstream or the filters hold too much. */
  void resumeReading() {
    if (pausedByUs && !ex.finished) {
      if (ex.upstream.writeQueueFull()
          || ex.requestChain.held() > Exchange.WATERMARK
          || ex.upstream.queuedBytes() > Exchange.WATERMARK) {
        return;
      }
      pausedByUs = false;
      req.resume();
    }
  }
}

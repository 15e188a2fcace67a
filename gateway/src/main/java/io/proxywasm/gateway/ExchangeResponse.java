package io.proxywasm.gateway;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.spi.Header;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.List;

/**
 * The response of an exchange as it goes to the client: the headers that leave the response filters
 * (with the length of a body a filter rewrote), the body with backpressure on the upstream, the
 * trailers, or a local reply in their place; then the exchange ends.
 */
final class ExchangeResponse {
  private final Exchange ex;
  private final HttpServerRequest req;
  private final HttpServerResponse resp;

  /** The response headers, as the filters see and change them. */
  private HeaderMap headers;

  /** The response went into the response filters. */
  boolean toPlugin;

  boolean headersSent;

  /** The response has no body (HEAD, 204, 304, 1xx, a zero length). */
  boolean noBody;

  /** Body bytes written to the client. */
  long bytes;

  ExchangeResponse(Exchange ex, HttpServerRequest req) {
    this.ex = ex;
    this.req = req;
    this.resp = req.response();
  }

  boolean writeQueueFull() {
    return headersSent && resp.writeQueueFull();
  }

  /** The response headers enter the response filters. */
  void headers(HeaderMap h, boolean eos) {
    headers = h;
    toPlugin = true;
    ex.status = Integer.parseInt(Headers.value(h, ":status", "200"));
    ex.responseChain.headersAt(0, h, eos);
  }

  /** The response headers leave the filters. */
  void downstreamHeaders(boolean eos) {
    if (ex.streams.length > 0 && !eos && !noBody && headers.indexOf("content-length") >= 0) {
      // the body may still be rewritten: the headers go with its first piece, and a body a filter
      // held whole gets its real length
      return;
    }
    sendHeaders(eos);
    if (eos) {
      end(null);
    }
  }

  /** The response trailers leave the filters. */
  void downstreamTrailers(HeaderMap t) {
    if (!headersSent) {
      sendHeaders(false);
    }
    end(t);
  }

  private void sendHeaders(boolean eos) {
    if (headersSent || ex.finished) {
      return;
    }
    headersSent = true;
    HeaderMap h = headers;
    ex.status = Integer.parseInt(Headers.value(h, ":status", "200"));
    resp.setStatusCode(ex.status);
    MultiMap out = resp.headers();
    boolean hasLength = false;
    for (int i = 0; i < h.size(); i++) {
      String n = h.name(i);
      if (n.startsWith(":") || Headers.HOP_BY_HOP.contains(n)) {
        continue;
      }
      if (n.equals("content-length")) {
        hasLength = true;
      }
      out.add(n, h.value(i));
    }
    out.set("server", ex.listener.spec.serverName());
    if (!hasLength && !eos && req.version() != HttpVersion.HTTP_2) {
      resp.setChunked(true);
    }
    if (eos && !hasLength) {
      out.set("content-length", "0");
    }
    resp.drainHandler(v -> ex.upstream.resumeResponse());
  }

  /** Response body leaves the filters. */
  void sendDown(Buffer data, boolean eos) {
    if (ex.finished) {
      return;
    }
    if (!headersSent) {
      if (eos && !noBody && headers.indexOf("content-length") >= 0) {
        headers.set("content-length", Integer.toString(data.length()));
      }
      sendHeaders(false);
    }
    bytes += data.length();
    if (data.length() > 0) {
      resp.write(data);
    }
    if (eos) {
      end(null);
    } else if (resp.writeQueueFull()) {
      ex.upstream.pauseResponse();
    }
  }

  private void end(HeaderMap trailers) {
    if (ex.finished || resp.ended()) {
      return;
    }
    if (trailers != null && (resp.isChunked() || req.version() == HttpVersion.HTTP_2)) {
      for (int i = 0; i < trailers.size(); i++) {
        resp.putTrailer(trailers.name(i), trailers.value(i));
      }
    }
    resp.end().onComplete(ar -> ex.finish(null));
  }

  /** A reply in place of the response: the router's on an upstream failure, or a plugin's. */
  void writeLocal(int code, byte[] body, List<Header> headers, int grpc) {
    headersSent = true;
    ex.localReplied = true;
    ex.status = code;
    ex.request.resumeReading();
    resp.setStatusCode(code);
    boolean hasType = false;
    for (Header e : headers) {
      String n = Headers.lower(e.name());
      if (n.startsWith(":") || Headers.HOP_BY_HOP.contains(n) || n.equals("content-length")) {
        continue;
      }
      if (n.equals("content-type")) {
        hasType = true;
      }
      resp.headers().add(n, e.value());
    }
    if (body.length > 0 && !hasType) {
      resp.headers().set("content-type", "text/plain");
    }
    if (grpc >= 0) {
      resp.headers().set("grpc-status", Integer.toString(grpc));
    }
    resp.headers().set("server", ex.listener.spec.serverName());
    resp.headers().set("content-length", Integer.toString(body.length));
    bytes = body.length;
    resp.end(Buffer.buffer(body)).onComplete(ar -> ex.finish(null));
  }

  /** Ends the client's stream abruptly: a reset on HTTP/2, closing the connection on HTTP/1. */
  void resetDownstream() {
    if (req.version() == HttpVersion.HTTP_2) {
      resp.reset();
    } else {
      req.connection().close();
    }
  }
}

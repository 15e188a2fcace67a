package io.proxywasm.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.proxywasm.host.HeaderMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The request trailers of one downstream connection, read where Vert.x 5 core drops them: for
 * HTTP/1.1, a handler between the request decoder and Vert.x's connection takes the trailer section
 * of each chunked request's last content; for HTTP/2, a decorator on the decoder's frame listener
 * takes a HEADERS frame that ends a stream whose headers came before without ending it. Everything
 * runs on the connection's event loop, the gateway's loop for that connection.
 *
 * <p>An HTTP/1.1 connection decodes its requests in order and Vert.x hands them to the gateway in
 * that order (a pipelined request waits, decoded, until the previous response ends), so the n-th
 * request the decoder produced is the n-th one the gateway starts: trailers are kept by that
 * number. HTTP/2 trailers are kept by stream id until the stream ends or the gateway takes them.
 */
final class DownstreamTrailers {
  /** The name of the HTTP/1 handler in the connection's pipeline. */
  static final String HANDLER = "proxywasm-request-trailers";

  private final boolean http2;

  /** HTTP/1: requests the decoder produced, and requests the gateway started. */
  private long decoded;

  private long started;

  /** HTTP/1: trailers by request number, oldest first; only requests that had some. */
  private final ArrayDeque<Numbered> pending = new ArrayDeque<>(2);

  /** HTTP/2: trailers by stream id. */
  private final Map<Integer, HeaderMap> byStream = new HashMap<>();

  private record Numbered(long number, HeaderMap trailers) {}

  private DownstreamTrailers(boolean http2) {
    this.http2 = http2;
  }

  /**
   * Starts reading a new connection's request trailers; called when Vert.x announces the connection
   * on its event loop, before it decodes any request. Null when the pipeline is not one this class
   * knows.
   */
  static DownstreamTrailers attach(Channel ch) {
    ChannelPipeline p = ch.pipeline();
    Http2ConnectionHandler h2 = p.get(Http2ConnectionHandler.class);
    if (h2 != null) {
      if (p.get(HANDLER) != null) {
        p.remove(HANDLER); // an HTTP/1 connection that upgraded to h2c
      }
      DownstreamTrailers t = new DownstreamTrailers(true);
      Http2ConnectionDecoder decoder = h2.decoder();
      Http2Connection connection = decoder.connection();
      decoder.frameListener(t.new FrameTap(decoder.frameListener(), connection));
      connection.addListener(
          new Http2ConnectionAdapter() {
            @Override
            public void onStreamRemoved(Http2Stream stream) {
              t.byStream.remove(stream.id());
            }
          });
      return t;
    }
    if (p.get(HttpRequestDecoder.class) != null && p.get("handler") != null) {
      DownstreamTrailers t = new DownstreamTrailers(false);
      if (p.get(HANDLER) != null) {
        p.remove(HANDLER);
      }
      p.addBefore("handler", HANDLER, t.new Http1Tap());
      return t;
    }
    return null;
  }

  /**
   * A request starts in the gateway: the key its trailers are kept under (the request's number on
   * an HTTP/1 connection, its stream id on HTTP/2). Called for every request, in order.
   */
  long begin(HttpServerRequest req) {
    if (http2 != (req.version() == HttpVersion.HTTP_2)) {
      return -1; // not a request this connection's reader sees; take(-1) finds nothing
    }
    return http2 ? req.streamId() : started++;
  }

  /** The trailers of the request with this key, once its end arrived; null if it had none. */
  HeaderMap take(long key) {
    if (http2) {
      return byStream.remove((int) key);
    }
    Numbered n;
    while ((n = pending.peekFirst()) != null && n.number < key) {
      pending.pollFirst(); // a request that ended without being asked (a local reply)
    }
    if (n != null && n.number == key) {
      pending.pollFirst();
      return n.trailers;
    }
    return null;
  }

  /** The HTTP/1 handler: counts the decoded requests, keeps the trailer sections. */
  private final class Http1Tap extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest r && r.decoderResult().isSuccess()) {
        decoded++; // a failed one goes to Vert.x's invalid request handler, not the gateway
      }
      if (msg instanceof LastHttpContent last && decoded > 0) {
        HttpHeaders h = last.trailingHeaders();
        if (!h.isEmpty()) {
          HeaderMap t = new HeaderMap();
          for (Map.Entry<String, String> e : h) {
            t.add(Headers.lower(e.getKey()), e.getValue());
          }
          pending.addLast(new Numbered(decoded - 1, t));
        }
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** The HTTP/2 listener: a HEADERS frame that ends a stream after its headers is its trailers. */
  private final class FrameTap extends Http2FrameListenerDecorator {
    private final Http2Connection connection;

    /** Marks a stream whose headers came without ending it. */
    private final Http2Connection.PropertyKey open;

    FrameTap(Http2FrameListener listener, Http2Connection connection) {
      super(listener);
      this.connection = connection;
      this.open = connection.newKey();
    }

    @Override
    public void onHeadersRead(
        ChannelHandlerContext ctx,
        int streamId,
        Http2Headers headers,
        int padding,
        boolean endOfStream)
        throws io.netty.handler.codec.http2.Http2Exception {
      keep(streamId, headers, endOfStream);
      super.onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public void onHeadersRead(
        ChannelHandlerContext ctx,
        int streamId,
        Http2Headers headers,
        int streamDependency,
        short weight,
        boolean exclusive,
        int padding,
        boolean endOfStream)
        throws io.netty.handler.codec.http2.Http2Exception {
      keep(streamId, headers, endOfStream);
      super.onHeadersRead(
          ctx, streamId, headers, streamDependency, weight, exclusive, padding, endOfStream);
    }

    private void keep(int streamId, Http2Headers headers, boolean endOfStream) {
      Http2Stream stream = connection.stream(streamId);
      if (stream == null) {
        return;
      }
      if (!endOfStream) {
        // a request's headers that do not end it; Netty's own mark cannot tell them from trailers
        // (it counts a stream opened half-closed as having had headers already)
        stream.setProperty(open, Boolean.TRUE);
        return;
      }
      if (stream.getProperty(open) == null || headers.isEmpty()) {
        return; // headers that end the request at once, or empty trailers
      }
      HeaderMap t = new HeaderMap();
      for (Map.Entry<CharSequence, CharSequence> e : headers) {
        t.add(Headers.lower(e.getKey().toString()), e.getValue().toString());
      }
      byStream.put(streamId, t);
    }
  }
}

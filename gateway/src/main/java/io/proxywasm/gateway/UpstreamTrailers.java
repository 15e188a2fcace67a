package io.proxywasm.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Headers;
import io.proxywasm.host.HeaderMap;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.IntSupplier;

/**
 * Request trailers written to an upstream connection, where Vert.x 5 core's client writes none.
 *
 * <p>HTTP/1.1: a handler before Vert.x's connection in the client channel's pipeline puts the
 * trailers into the next last content the request writes, which the codec then encodes as the
 * chunked body's trailer section. A client connection carries one request at a time (the cluster
 * clients do not pipeline), so the next last content is that request's.
 *
 * <p>HTTP/2: the request's body is written through Vert.x without its end; once the last of it went
 * to Netty, the trailers go as a HEADERS frame that ends the stream, through the connection
 * handler's encoder (which keeps the HPACK state and the stream's state). Vert.x never sees the
 * request end: it only counts that for its metrics, and the stream closes when both sides ended.
 */
final class UpstreamTrailers {
  /** The name of the HTTP/1 handler in the client connection's pipeline. */
  static final String HANDLER = "proxywasm-upstream-trailers";

  private UpstreamTrailers() {}

  /**
   * Makes the next request end written on an HTTP/1.1 connection carry these trailers; the caller
   * ends the request right after. False if the channel's pipeline is not one this class knows.
   */
  static boolean nextHttp1(Channel ch, HeaderMap trailers) {
    ChannelPipeline p = ch.pipeline();
    if (ch.eventLoop().inEventLoop()) {
      return install(p, trailers);
    }
    if (p.get("handler") == null || p.get("codec") == null) {
      return false;
    }
    // the request's own writes hop to the connection's loop after this
    ch.eventLoop().execute(() -> install(p, trailers));
    return true;
  }

  private static boolean install(ChannelPipeline p, HeaderMap trailers) {
    Http1Tap tap = (Http1Tap) p.get(HANDLER);
    if (tap == null) {
      if (p.get("handler") == null || p.get("codec") == null) {
        return false;
      }
      tap = new Http1Tap();
      p.addBefore("handler", HANDLER, tap);
    }
    tap.next = trailers;
    return true;
  }

  /**
   * Ends an HTTP/2 request stream with a trailers HEADERS frame, after the body written before
   * {@code lastWrite} went out.
   *
   * @return completes once the frame is written, fails if it could not be
   */
  static Future<Void> endHttp2(
      Channel ch,
      IntSupplier streamId,
      HeaderMap trailers,
      Future<Void> lastWrite,
      Promise<Void> done) {
    Http2ConnectionHandler h2 = ch.pipeline().get(Http2ConnectionHandler.class);
    if (h2 == null) {
      done.tryFail("the upstream connection has no HTTP/2 handler");
      return done.future();
    }
    Http2Headers headers = new DefaultHttp2Headers();
    for (int i = 0; i < trailers.size(); i++) {
      headers.add(trailers.name(i), trailers.value(i));
    }
    Runnable write =
        () -> {
          ChannelHandlerContext ctx = ch.pipeline().context(h2);
          int id = streamId.getAsInt();
          if (ctx == null || !ch.isActive() || id <= 0) {
            done.tryFail("the upstream connection closed");
            return;
          }
          ChannelPromise p = ctx.newPromise();
          p.addListener(
              f -> {
                if (f.isSuccess()) {
                  done.tryComplete();
                } else {
                  done.tryFail(f.cause());
                }
              });
          h2.encoder().writeHeaders(ctx, id, headers, 0, true, p);
          ch.flush();
        };
    Runnable onLoop =
        () -> {
          if (ch.eventLoop().inEventLoop()) {
            write.run();
          } else {
            ch.eventLoop().execute(write);
          }
        };
    if (lastWrite == null) {
      onLoop.run();
    } else {
      lastWrite.onComplete(
          ar -> {
            if (ar.succeeded()) {
              onLoop.run();
            } else {
              done.tryFail(ar.cause());
            }
          });
    }
    return done.future();
  }

  /** Puts the trailers into the request's last content. */
  private static final class Http1Tap extends ChannelOutboundHandlerAdapter {
    HeaderMap next;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      HeaderMap t = next;
      if (t == null || !(msg instanceof LastHttpContent last)) {
        ctx.write(msg, promise);
        return;
      }
      next = null;
      DefaultLastHttpContent end = new DefaultLastHttpContent(last.content().retain());
      HttpHeaders out = end.trailingHeaders();
      for (int i = 0; i < t.size(); i++) {
        out.add(t.name(i), t.value(i));
      }
      if (msg instanceof FullHttpRequest full) {
        // the head, the body and its end in one message: the head goes first, on its own
        ctx.write(
            new DefaultHttpRequest(
                full.protocolVersion(), full.method(), full.uri(), full.headers()));
      }
      last.release();
      ctx.write(end, promise);
    }
  }
}

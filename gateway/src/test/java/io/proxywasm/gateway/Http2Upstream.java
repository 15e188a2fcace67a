package io.proxywasm.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * An HTTP/2 (h2c, prior knowledge) upstream on Netty's frame codec, which sees a request's trailers
 * (Vert.x's server does not): each stream is answered with {@code h2 <path> body=<body>
 * trailers=<name:value;...>}.
 */
final class Http2Upstream implements AutoCloseable {
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;

  Http2Upstream() throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(), new Echo());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** What one stream received so far. */
  private static final class Seen {
    String path;
    final StringBuilder body = new StringBuilder();
    final StringBuilder trailers = new StringBuilder();
  }

  private static final class Echo extends ChannelInboundHandlerAdapter {
    private final Map<Integer, Seen> streams = new HashMap<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame h) {
          Seen s = streams.get(h.stream().id());
          if (s == null) {
            s = new Seen();
            s.path = String.valueOf(h.headers().path());
            streams.put(h.stream().id(), s);
          } else {
            for (Map.Entry<CharSequence, CharSequence> e : h.headers()) {
              s.trailers.append(e.getKey()).append(':').append(e.getValue()).append(';');
            }
          }
          if (h.isEndStream()) {
            answer(ctx, h.stream());
          }
        } else if (msg instanceof Http2DataFrame d) {
          Seen s = streams.get(d.stream().id());
          s.body.append(d.content().toString(StandardCharsets.UTF_8));
          if (d.isEndStream()) {
            answer(ctx, d.stream());
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void answer(ChannelHandlerContext ctx, Http2FrameStream stream) {
      Seen s = streams.remove(stream.id());
      String text = "h2 " + s.path + " body=" + s.body + " trailers=" + s.trailers;
      ctx.write(
          new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")).stream(stream));
      ctx.writeAndFlush(
          new DefaultHttp2DataFrame(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), true)
              .stream(stream));
    }
  }
}

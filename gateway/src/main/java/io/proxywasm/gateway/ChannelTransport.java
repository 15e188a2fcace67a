package io.proxywasm.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.transport.Transport;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * Vert.x's transport (native or NIO), unchanged, that also keeps the Netty channel of every HTTP
 * connection the gateway accepts or opens, found again by the connection's two addresses. Vert.x 5
 * core's public API gives no way from an {@link HttpConnection} to its channel, and the gateway
 * needs the channel's pipeline for what that API lacks: a request's trailers (read from the HTTP/1
 * decoder's last content or the HTTP/2 decoder's trailing HEADERS frame, and written upstream).
 */
final class ChannelTransport implements Transport {
  private final String name;
  private final Transport delegate;

  /** Channels by their (local, remote) addresses, as Vert.x converts them for its connections. */
  private final Map<Key, Channel> channels = new ConcurrentHashMap<>();

  /** Client channels not yet connected when made: keyed on the first lookup after they are. */
  private final Set<Channel> unkeyed = ConcurrentHashMap.newKeySet();

  private record Key(SocketAddress local, SocketAddress remote) {}

  /**
   * Wraps the native transport (epoll on Linux) when preferred and it loads, else Java NIO.
   *
   * @param preferNative whether to use the native transport where it loads
   */
  ChannelTransport(boolean preferNative) {
    io.vertx.core.transport.Transport t =
        preferNative ? io.vertx.core.transport.Transport.nativeTransport() : null;
    if (t == null || !t.available()) {
      t = io.vertx.core.transport.Transport.NIO;
    }
    this.name = t.name();
    this.delegate = t.implementation();
  }

  /** The name of the wrapped transport: {@code "epoll"}, {@code "nio"}, ... */
  String name() {
    return name;
  }

  /** This transport as Vert.x's builder takes it. */
  io.vertx.core.transport.Transport api() {
    Transport impl = this;
    return new io.vertx.core.transport.Transport() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public boolean available() {
        return true;
      }

      @Override
      public Throwable unavailabilityCause() {
        return null;
      }

      @Override
      public Transport implementation() {
        return impl;
      }
    };
  }

  /**
   * The Netty channel under a Vert.x HTTP connection, or null when it is not known (a connection
   * Vert.x made on another transport, or one already closed).
   */
  Channel channel(HttpConnection connection) {
    SocketAddress local = connection.localAddress(true);
    SocketAddress remote = connection.remoteAddress(true);
    if (local == null || remote == null) {
      return null;
    }
    Key key = new Key(local, remote);
    Channel ch = channels.get(key);
    if (ch == null && !unkeyed.isEmpty()) {
      for (var it = unkeyed.iterator(); it.hasNext(); ) {
        Channel c = it.next();
        if (!c.isOpen()) {
          it.remove();
        } else if (c.isActive() && keep(c)) {
          it.remove();
        }
      }
      ch = channels.get(key);
    }
    return ch;
  }

  /** Keys a connected channel; false while it has no addresses yet. */
  private boolean keep(Channel ch) {
    java.net.SocketAddress l = ch.localAddress();
    java.net.SocketAddress r = ch.remoteAddress();
    if (l == null || r == null) {
      return false;
    }
    Key key = new Key(convert(l), convert(r));
    channels.put(key, ch);
    ch.closeFuture().addListener(f -> channels.remove(key, ch));
    return true;
  }

  // ------------------------------------------------------------------ where channels are made

  @Override
  public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
    delegate.configure(options, domainSocket, bootstrap);
    ChannelHandler child = bootstrap.config().childHandler();
    if (!domainSocket && options instanceof HttpServerOptions && child != null) {
      bootstrap.childHandler(new Accepted(child));
    }
  }

  /** An accepted channel is kept, then Vert.x's own initializer sets it up. */
  @ChannelHandler.Sharable
  private final class Accepted extends ChannelInitializer<Channel> {
    private final ChannelHandler vertx;

    Accepted(ChannelHandler vertx) {
      this.vertx = vertx;
    }

    @Override
    protected void initChannel(Channel ch) {
      keep(ch);
      ch.pipeline().addLast(vertx);
    }
  }

  @Override
  public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
    ChannelFactory<? extends Channel> factory = delegate.channelFactory(domainSocket);
    if (domainSocket) {
      return factory;
    }
    return () -> {
      Channel ch = factory.newChannel();
      unkeyed.add(ch);
      ch.closeFuture().addListener(f -> unkeyed.remove(ch));
      return ch;
    };
  }

  // ------------------------------------------------------------------ the rest is NIO's

  @Override
  public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
    return delegate.serverChannelFactory(domainSocket);
  }

  @Override
  public void configure(
      ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
    delegate.configure(options, connectTimeout, domainSocket, bootstrap);
  }

  @Override
  public void configure(DatagramChannel channel, DatagramSocketOptions options) {
    delegate.configure(channel, options);
  }

  @Override
  public boolean supportsDomainSockets() {
    return delegate.supportsDomainSockets();
  }

  @Override
  public boolean supportFileRegion() {
    return delegate.supportFileRegion();
  }

  @Override
  public boolean isAvailable() {
    return delegate.isAvailable();
  }

  @Override
  public Throwable unavailabilityCause() {
    return delegate.unavailabilityCause();
  }

  @Override
  public java.net.SocketAddress convert(SocketAddress address) {
    return delegate.convert(address);
  }

  @Override
  public SocketAddress convert(java.net.SocketAddress address) {
    return delegate.convert(address);
  }

  @Override
  public IoHandlerFactory ioHandlerFactory() {
    return delegate.ioHandlerFactory();
  }

  @Override
  public EventLoopGroup eventLoopGroup(
      int type, int nThreads, ThreadFactory threadFactory, int ioRatio) {
    return delegate.eventLoopGroup(type, nThreads, threadFactory, ioRatio);
  }

  @Override
  public DatagramChannel datagramChannel() {
    return delegate.datagramChannel();
  }

  @Override
  @SuppressWarnings("deprecation")
  public DatagramChannel datagramChannel(InternetProtocolFamily family) {
    return delegate.datagramChannel(family);
  }
}

package io.proxywasm.host;

import io.proxywasm.host.internal.Context;
import io.proxywasm.host.internal.TcpState;
import io.proxywasm.spi.FilterStatus;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.StreamType;
import java.util.function.Supplier;

/**
 * One TCP connection passing through a plugin. Feed it the connection's events; {@link #close()}
 * when the connection is gone. Not for concurrent use.
 */
public final class TcpStream implements AutoCloseable {
  private final Context ctx;
  private final TcpState state;
  private final FailPolicy failPolicy;
  private boolean closed;

  TcpStream(Context ctx, TcpState state, FailPolicy failPolicy) {
    this.ctx = ctx;
    this.state = state;
    this.failPolicy = failPolicy;
  }

  private FilterStatus enter(Supplier<FilterStatus> call) {
    if (closed) {
      throw new IllegalStateException("stream is closed");
    }
    if (ctx == null) {
      if (failPolicy == FailPolicy.FAIL_OPEN) {
        return FilterStatus.CONTINUE;
      }
      state.closeStream(StreamType.DOWNSTREAM);
      return FilterStatus.STOP_ITERATION;
    }
    ctx.wasm().lock().lock();
    try {
      return call.get();
    } finally {
      ctx.wasm().lock().unlock();
    }
  }

  /**
   * A new connection arrived ({@code proxy_on_new_connection}).
   *
   * @return the plugin's decision
   */
  public FilterStatus onNewConnection() {
    return enter(() -> ctx.onNewConnection());
  }

  /**
   * Data arrived from downstream ({@code proxy_on_downstream_data}).
   *
   * @param data the data buffered; the plugin may change it
   * @param endOfStream whether downstream closed its side
   * @return the plugin's decision
   */
  public FilterStatus onDownstreamData(BodyBuffer data, boolean endOfStream) {
    return enter(
        () -> {
          state.data(false, data);
          return ctx.onData(false, data.length(), endOfStream);
        });
  }

  /**
   * Data arrived from upstream ({@code proxy_on_upstream_data}).
   *
   * @param data the data buffered; the plugin may change it
   * @param endOfStream whether upstream closed its side
   * @return the plugin's decision
   */
  public FilterStatus onUpstreamData(BodyBuffer data, boolean endOfStream) {
    return enter(
        () -> {
          state.data(true, data);
          return ctx.onData(true, data.length(), endOfStream);
        });
  }

  /**
   * A side of the connection closed.
   *
   * @param upstream true for the upstream side
   * @param peer who closed it
   */
  public void onConnectionClose(boolean upstream, PeerType peer) {
    enter(
        () -> {
          ctx.onConnectionClose(upstream, peer);
          return FilterStatus.CONTINUE;
        });
  }

  /**
   * Returns whether the plugin or the fail policy closed the connection.
   *
   * @return true once closed
   */
  public boolean closedByPlugin() {
    return state.closed();
  }

  /**
   * Returns the plugin's context id for this connection.
   *
   * @return the id, or 0 if the plugin could not run on this worker
   */
  public int contextId() {
    return ctx == null ? 0 : ctx.id();
  }

  /** Ends the connection: {@code proxy_on_done}, {@code proxy_on_log}, {@code proxy_on_delete}. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (ctx != null) {
      ctx.wasm().lock().lock();
      try {
        ctx.onDone();
        ctx.onLog();
        ctx.onDelete();
      } finally {
        ctx.wasm().lock().unlock();
      }
    }
    closed = true;
  }
}

package io.proxywasm.host;

import io.proxywasm.host.internal.abi.TcpState;
import io.proxywasm.host.internal.vm.Context;
import io.proxywasm.host.internal.vm.StreamCallbacks;
import io.proxywasm.spi.FilterStatus;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.StreamType;
import java.util.function.Supplier;

/**
 * One TCP connection passing through a plugin. Feed it the connection's events; {@link #close()}
 * when the connection is gone. Not for concurrent use.
 */
public final class TcpStream extends StreamBase {
  TcpStream(Context ctx, TcpState state, PluginConfig config) {
    super(ctx, state, config, true);
  }

  /**
   * The stream's state, as this class made it: no field of its own, a stream is one per request.
   */
  private TcpState state() {
    return (TcpState) state;
  }

  private FilterStatus enter(Supplier<FilterStatus> call) {
    return enter(call, FilterStatus.CONTINUE, FilterStatus.STOP_ITERATION, StreamType.DOWNSTREAM);
  }

  /**
   * A new connection arrived ({@code proxy_on_new_connection}).
   *
   * @return the plugin's decision
   */
  public FilterStatus onNewConnection() {
    return enter(() -> StreamCallbacks.onNewConnection(ctx));
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
          state().data(StreamType.DOWNSTREAM, data);
          FilterStatus status =
              StreamCallbacks.onData(ctx, StreamType.DOWNSTREAM, data.length(), endOfStream);
          if (status == FilterStatus.CONTINUE) {
            state().data(StreamType.DOWNSTREAM, null);
          }
          return status;
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
          state().data(StreamType.UPSTREAM, data);
          FilterStatus status =
              StreamCallbacks.onData(ctx, StreamType.UPSTREAM, data.length(), endOfStream);
          if (status == FilterStatus.CONTINUE) {
            state().data(StreamType.UPSTREAM, null);
          }
          return status;
        });
  }

  /**
   * A side of the connection closed ({@code proxy_on_downstream_connection_close} or {@code
   * proxy_on_upstream_connection_close}).
   *
   * @param side {@link StreamType#DOWNSTREAM} or {@link StreamType#UPSTREAM}
   * @param peer who closed it
   * @throws IllegalArgumentException if the side is an HTTP direction
   */
  public void onConnectionClose(StreamType side, PeerType peer) {
    if (side != StreamType.DOWNSTREAM && side != StreamType.UPSTREAM) {
      throw new IllegalArgumentException(
          "a TCP connection closes on its downstream or upstream side, not " + side);
    }
    enter(
        () -> {
          StreamCallbacks.onConnectionClose(ctx, side, peer);
          return FilterStatus.CONTINUE;
        });
  }

  /**
   * Returns whether the plugin or the fail policy closed the connection.
   *
   * @return true once closed
   */
  public boolean closedByPlugin() {
    return state().closed();
  }

  /**
   * Returns the properties the plugin set on this connection with {@code proxy_set_property}.
   *
   * @return path to value, a copy
   */
  public java.util.Map<java.util.List<String>, byte[]> propertiesSet() {
    return state().propertiesSet();
  }
}

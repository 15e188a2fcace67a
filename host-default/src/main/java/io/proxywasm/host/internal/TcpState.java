package io.proxywasm.host.internal;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.TcpStreamListener;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.WasmResult;
import java.util.List;
import java.util.Optional;

/** The embedder-side state of one TCP connection, as host calls see it. */
public final class TcpState implements StreamRole {
  private final TcpStreamListener listener;
  private final PropertyResolver properties;
  private final BodyBuffer[] data = new BodyBuffer[2];
  private boolean closed;

  /**
   * Creates the state.
   *
   * @param listener where decisions go
   * @param properties the connection's attributes
   */
  public TcpState(TcpStreamListener listener, PropertyResolver properties) {
    this.listener = listener;
    this.properties = properties;
  }

  /**
   * Sets the data the plugin sees for a direction.
   *
   * @param upstream true for upstream data
   * @param buffer the data
   */
  public void data(boolean upstream, BodyBuffer buffer) {
    data[upstream ? 1 : 0] = buffer;
  }

  /**
   * Returns whether the plugin or the fail policy closed the connection.
   *
   * @return true once closed
   */
  public boolean closed() {
    return closed;
  }

  @Override
  public Optional<BodyBuffer> buffer(int type) {
    return type == 2 || type == 3 ? Optional.ofNullable(data[type - 2]) : Optional.empty();
  }

  @Override
  public WasmResult continueStream(StreamType type) {
    if (type != StreamType.DOWNSTREAM && type != StreamType.UPSTREAM) {
      return WasmResult.UNIMPLEMENTED;
    }
    listener.onResume(type);
    return WasmResult.OK;
  }

  @Override
  public WasmResult closeStream(StreamType type) {
    closed = true;
    listener.onClose(type);
    return WasmResult.OK;
  }

  @Override
  public Optional<byte[]> property(List<String> path) {
    return properties.get(path);
  }
}

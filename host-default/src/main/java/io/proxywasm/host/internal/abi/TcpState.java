package io.proxywasm.host.internal.abi;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.TcpStreamListener;
import io.proxywasm.host.internal.vm.StreamRole;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.WasmResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The embedder-side state of one TCP connection, as host calls see it. */
public final class TcpState implements StreamRole {
  private static final BodyBuffer NO_DATA = new BodyBuffer(new byte[0]);

  private final TcpStreamListener listener;
  private final StreamProperties properties;
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
    this.properties = new StreamProperties(properties, listener::onPropertySet);
  }

  /**
   * Sets the data the plugin sees for a direction.
   *
   * @param side {@link StreamType#DOWNSTREAM} or {@link StreamType#UPSTREAM}
   * @param buffer the data, or null once its callback continued
   */
  public void data(StreamType side, BodyBuffer buffer) {
    data[side == StreamType.UPSTREAM ? 1 : 0] = buffer;
  }

  /**
   * Returns whether the plugin or the fail policy closed the connection.
   *
   * @return true once closed
   */
  public boolean closed() {
    return closed;
  }

  /**
   * Returns the properties the plugin set on this connection.
   *
   * @return path to value, a copy
   */
  public Map<List<String>, byte[]> propertiesSet() {
    return properties.snapshot();
  }

  @Override
  public Optional<BodyBuffer> buffer(int type) {
    if (type != 2 && type != 3) {
      return Optional.empty();
    }
    BodyBuffer b = data[type - 2];
    return Optional.of(b == null ? NO_DATA : b);
  }

  @Override
  public boolean bufferWritable(int type) {
    return (type == 2 || type == 3) && data[type - 2] != null;
  }

  @Override
  public WasmResult continueStream(StreamType type) {
    if (type == StreamType.DOWNSTREAM) {
      listener.onResume(type);
    }
    return WasmResult.OK;
  }

  @Override
  public WasmResult closeStream(StreamType type) {
    if (type == StreamType.DOWNSTREAM || type == StreamType.UPSTREAM) {
      closed = true;
      listener.onClose(type);
    }
    return WasmResult.OK;
  }

  @Override
  public void failStream(StreamType type) {
    closed = true;
    listener.onClose(type);
  }

  @Override
  public Optional<byte[]> property(List<String> path) {
    return properties.get(path);
  }

  @Override
  public WasmResult setProperty(List<String> path, byte[] value) {
    properties.set(path, value);
    return WasmResult.OK;
  }

  @Override
  public Object listener() {
    return listener;
  }
}

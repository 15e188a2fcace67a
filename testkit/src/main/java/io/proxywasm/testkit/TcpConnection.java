package io.proxywasm.testkit;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.TcpStream;
import io.proxywasm.host.TcpStreamListener;
import io.proxywasm.spi.FilterStatus;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.StreamType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP connection through a plugin under the test kit: send data either way, see what the plugin
 * decided, what it did to the data, and whether it resumed or closed the connection. Close it to
 * end the connection ({@code proxy_on_log}, {@code proxy_on_done}, {@code proxy_on_delete}).
 */
public final class TcpConnection implements AutoCloseable {
  private final TcpStream stream;
  private final ManualScheduler scheduler;
  private final FilterStatus newConnection;
  private final List<StreamType> resumed = new ArrayList<>();
  private final List<StreamType> closed = new ArrayList<>();

  TcpConnection(PluginHandle handle, ManualScheduler scheduler) {
    this.scheduler = scheduler;
    this.stream =
        handle.newTcpStream(
            new TcpStreamListener() {
              @Override
              public void onResume(StreamType direction) {
                resumed.add(direction);
              }

              @Override
              public void onClose(StreamType direction) {
                closed.add(direction);
              }
            },
            PropertyResolver.NONE);
    this.newConnection = stream.onNewConnection();
  }

  /**
   * Returns what {@code proxy_on_new_connection} answered.
   *
   * @return the status
   */
  public FilterStatus newConnectionStatus() {
    return newConnection;
  }

  /** What the plugin did with one chunk of data. */
  public record Chunk(FilterStatus status, byte[] data) {
    /**
     * Copies the data.
     *
     * @param status what the plugin answered
     * @param data the buffer after the plugin's changes
     */
    public Chunk {
      data = data.clone();
    }

    /**
     * Returns a copy of the data.
     *
     * @return the bytes
     */
    @Override
    public byte[] data() {
      return data.clone();
    }

    /**
     * Returns the data as UTF-8 text.
     *
     * @return the text
     */
    public String text() {
      return new String(data, StandardCharsets.UTF_8);
    }
  }

  /**
   * Sends data from the client ({@code proxy_on_downstream_data}).
   *
   * @param data the data, as UTF-8
   * @param endOfStream whether the client closes its side
   * @return the plugin's decision and the data after its changes
   */
  public Chunk downstream(String data, boolean endOfStream) {
    BodyBuffer buffer = new BodyBuffer(data.getBytes(StandardCharsets.UTF_8));
    FilterStatus status = stream.onDownstreamData(buffer, endOfStream);
    scheduler.runDue();
    return new Chunk(status, buffer.slice(0, buffer.length()));
  }

  /**
   * Sends data from the server ({@code proxy_on_upstream_data}).
   *
   * @param data the data, as UTF-8
   * @param endOfStream whether the server closes its side
   * @return the plugin's decision and the data after its changes
   */
  public Chunk upstream(String data, boolean endOfStream) {
    BodyBuffer buffer = new BodyBuffer(data.getBytes(StandardCharsets.UTF_8));
    FilterStatus status = stream.onUpstreamData(buffer, endOfStream);
    scheduler.runDue();
    return new Chunk(status, buffer.slice(0, buffer.length()));
  }

  /**
   * Returns the directions the plugin resumed, in order.
   *
   * @return the directions
   */
  public List<StreamType> resumed() {
    return List.copyOf(resumed);
  }

  /**
   * Returns the directions the plugin closed, in order.
   *
   * @return the directions
   */
  public List<StreamType> closedByPlugin() {
    return List.copyOf(closed);
  }

  /** Closes the connection from the client side and ends the stream. */
  @Override
  public void close() {
    stream.onConnectionClose(false, PeerType.REMOTE);
    stream.close();
    scheduler.runDue();
  }
}

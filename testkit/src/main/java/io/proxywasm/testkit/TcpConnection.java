package io.proxywasm.testkit;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.TcpStream;
import io.proxywasm.host.TcpStreamListener;
import io.proxywasm.spi.FilterStatus;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.StreamType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP connection through a plugin (a network filter) under the test kit: send data either way,
 * see what the plugin decided, what it did to the data, and whether it resumed or closed the
 * connection.
 *
 * <p>As in Envoy, data the plugin stops on ({@code STOP_ITERATION}) stays in the connection's
 * buffer and the next data is added to it, so the plugin sees everything not yet sent on; {@code
 * CONTINUE} or a resume sends it on ({@link #forwardedDownstream()}). End of stream (a half close
 * that comes with the last data) is not the same event as a side of the connection closing: {@link
 * #closeDownstream} and {@link #closeUpstream} send the latter ({@code
 * proxy_on_downstream_connection_close}, {@code proxy_on_upstream_connection_close}). Close the
 * connection to end the stream ({@code proxy_on_done}, {@code proxy_on_log}, {@code
 * proxy_on_delete}).
 *
 * <p>Each data step delivers what is due afterwards, like {@link TestHost#runDue()}.
 */
public final class TcpConnection implements AutoCloseable {
  private final TestHost host;
  private final TcpStream stream;
  private final FilterStatus newConnection;
  private final List<StreamType> resumed = new ArrayList<>();
  private final List<StreamType> closed = new ArrayList<>();
  private final Direction fromClient = new Direction(false);
  private final Direction fromServer = new Direction(true);
  private boolean closeReported;

  /** Data held and sent on in one direction. */
  private final class Direction {
    private final boolean upstream;
    private BodyBuffer held = new BodyBuffer();
    private final ByteArrayOutputStream forwarded = new ByteArrayOutputStream();

    Direction(boolean upstream) {
      this.upstream = upstream;
    }

    Chunk data(byte[] data, boolean endOfStream) {
      held.append(data);
      FilterStatus status =
          upstream
              ? stream.onUpstreamData(held, endOfStream)
              : stream.onDownstreamData(held, endOfStream);
      byte[] after = held.bytes();
      if (status == FilterStatus.CONTINUE) {
        sendOn();
      }
      host.settle();
      return new Chunk(status, after);
    }

    void sendOn() {
      forwarded.writeBytes(held.bytes());
      held = new BodyBuffer();
    }
  }

  TcpConnection(TestHost host, PluginHandle handle, PropertyResolver properties) {
    this.host = host;
    this.stream =
        handle.newTcpStream(
            new TcpStreamListener() {
              @Override
              public void onResume(StreamType direction) {
                resumed.add(direction);
                (direction == StreamType.UPSTREAM ? fromServer : fromClient).sendOn();
              }

              @Override
              public void onClose(StreamType direction) {
                closed.add(direction);
              }
            },
            properties);
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

  /**
   * What the plugin did with one chunk of data.
   *
   * @param status what the plugin answered
   * @param data the connection's buffer as the plugin left it: this chunk after what the plugin
   *     held before
   */
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
   * @param endOfStream whether the client half-closes its side with this data
   * @return the plugin's decision and the buffer after its changes
   */
  public Chunk downstream(String data, boolean endOfStream) {
    return fromClient.data(data.getBytes(StandardCharsets.UTF_8), endOfStream);
  }

  /**
   * Sends data from the server ({@code proxy_on_upstream_data}).
   *
   * @param data the data, as UTF-8
   * @param endOfStream whether the server half-closes its side with this data
   * @return the plugin's decision and the buffer after its changes
   */
  public Chunk upstream(String data, boolean endOfStream) {
    return fromServer.data(data.getBytes(StandardCharsets.UTF_8), endOfStream);
  }

  /**
   * Reports that the client's side of the connection closed ({@code
   * proxy_on_downstream_connection_close}); the stream stays open until {@link #close()}.
   *
   * @param peer who closed it: {@link PeerType#REMOTE} for the client, {@link PeerType#LOCAL} for
   *     the proxy
   */
  public void closeDownstream(PeerType peer) {
    closeReported = true;
    stream.onConnectionClose(StreamType.DOWNSTREAM, peer);
    host.settle();
  }

  /**
   * Reports that the server's side of the connection closed ({@code
   * proxy_on_upstream_connection_close}); the stream stays open until {@link #close()}.
   *
   * @param peer who closed it: {@link PeerType#REMOTE} for the server, {@link PeerType#LOCAL} for
   *     the proxy
   */
  public void closeUpstream(PeerType peer) {
    closeReported = true;
    stream.onConnectionClose(StreamType.UPSTREAM, peer);
    host.settle();
  }

  /**
   * Returns what went on to the server, past the plugin.
   *
   * @return the bytes
   */
  public byte[] forwardedDownstream() {
    return fromClient.forwarded.toByteArray();
  }

  /**
   * Returns what went on to the client, past the plugin.
   *
   * @return the bytes
   */
  public byte[] forwardedUpstream() {
    return fromServer.forwarded.toByteArray();
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

  /**
   * Returns the plugin's context id for this connection.
   *
   * @return the id, or 0 if the plugin could not run on the worker
   */
  public int contextId() {
    return stream.contextId();
  }

  /**
   * Ends the stream. When no side's close was reported, the client closes first ({@code
   * proxy_on_downstream_connection_close} from the remote peer), as when a client hangs up.
   */
  @Override
  public void close() {
    if (!closeReported) {
      closeReported = true;
      stream.onConnectionClose(StreamType.DOWNSTREAM, PeerType.REMOTE);
    }
    stream.close();
    host.settle();
  }
}

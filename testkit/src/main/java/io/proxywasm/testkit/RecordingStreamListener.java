package io.proxywasm.testkit;

import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.TcpStreamListener;
import io.proxywasm.spi.StreamType;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stream listener that keeps what the host told the embedder about one HTTP stream or TCP
 * connection: local replies, resumes, closes and properties the plugin set, each in order.
 * Thread-safe.
 *
 * <p>For tests that drive a {@link io.proxywasm.host.HttpStream} or {@link
 * io.proxywasm.host.TcpStream} by hand (an embedder's own integration, the host's tests); {@link
 * TestHttpStream} and {@link TcpConnection} already act on these decisions as a proxy would.
 *
 * <pre>{@code
 * RecordingStreamListener decisions = new RecordingStreamListener();
 * HttpStream stream = handle.newHttpStream(decisions);
 * stream.onRequestHeaders(headers, true);
 * assertEquals(List.of(StreamType.REQUEST), decisions.resumed());
 * }</pre>
 */
public final class RecordingStreamListener implements HttpStreamListener, TcpStreamListener {
  /**
   * A property the plugin set on the stream.
   *
   * @param path the property's path
   * @param value its value
   */
  public record PropertySet(List<String> path, byte[] value) {
    /**
     * Copies the parts.
     *
     * @param path the property's path
     * @param value its value
     */
    public PropertySet {
      path = List.copyOf(path);
      value = value.clone();
    }

    /**
     * Returns a copy of the value.
     *
     * @return the bytes
     */
    @Override
    public byte[] value() {
      return value.clone();
    }
  }

  private final List<LocalResponse> localResponses = new CopyOnWriteArrayList<>();
  private final List<StreamType> resumed = new CopyOnWriteArrayList<>();
  private final List<StreamType> closed = new CopyOnWriteArrayList<>();
  private final List<PropertySet> propertiesSet = new CopyOnWriteArrayList<>();

  /** Creates a listener that has recorded nothing. */
  public RecordingStreamListener() {}

  @Override
  public void onLocalResponse(LocalResponse response) {
    localResponses.add(response);
  }

  @Override
  public void onResume(StreamType direction) {
    resumed.add(direction);
  }

  @Override
  public void onClose(StreamType direction) {
    closed.add(direction);
  }

  @Override
  public void onPropertySet(List<String> path, byte[] value) {
    propertiesSet.add(new PropertySet(path, value));
  }

  /**
   * Returns the local replies the plugin sent (a fail-closed stream's 503 too), oldest first.
   *
   * @return a snapshot
   */
  public List<LocalResponse> localResponses() {
    return List.copyOf(localResponses);
  }

  /**
   * Returns the directions the host told the embedder to resume, oldest first.
   *
   * @return a snapshot
   */
  public List<StreamType> resumed() {
    return List.copyOf(resumed);
  }

  /**
   * Returns the directions the host told the embedder to close, oldest first.
   *
   * @return a snapshot
   */
  public List<StreamType> closed() {
    return List.copyOf(closed);
  }

  /**
   * Returns the properties the plugin set on the stream, oldest first.
   *
   * @return a snapshot
   */
  public List<PropertySet> propertiesSet() {
    return List.copyOf(propertiesSet);
  }

  /** Forgets everything recorded. */
  public void clear() {
    localResponses.clear();
    resumed.clear();
    closed.clear();
    propertiesSet.clear();
  }
}

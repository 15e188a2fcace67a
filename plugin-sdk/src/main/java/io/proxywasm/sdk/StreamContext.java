package io.proxywasm.sdk;

import io.proxywasm.spi.BufferType;
import io.proxywasm.spi.HostCall;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.StreamType;

/**
 * The context of one TCP connection: override the callbacks the plugin needs. Each data callback
 * answers {@link Action#CONTINUE} unless overridden.
 */
public abstract class StreamContext extends Context {
  private final Body downstreamData = new Body(this, BufferType.NETWORK_DOWNSTREAM_DATA);
  private final Body upstreamData = new Body(this, BufferType.NETWORK_UPSTREAM_DATA);

  /** Creates a stream context; the VM binds it before its first callback. */
  protected StreamContext() {}

  /**
   * {@code proxy_on_new_connection}.
   *
   * @return whether the connection goes on
   */
  public Action onNewConnection() {
    return Action.CONTINUE;
  }

  /**
   * {@code proxy_on_downstream_data}: data from the client; {@link #downstreamData()} has it.
   *
   * @param dataSize the bytes buffered
   * @param endOfStream whether the client closed its side
   * @return whether the data goes on
   */
  public Action onDownstreamData(int dataSize, boolean endOfStream) {
    return Action.CONTINUE;
  }

  /**
   * {@code proxy_on_upstream_data}: data from the server; {@link #upstreamData()} has it.
   *
   * @param dataSize the bytes buffered
   * @param endOfStream whether the server closed its side
   * @return whether the data goes on
   */
  public Action onUpstreamData(int dataSize, boolean endOfStream) {
    return Action.CONTINUE;
  }

  /**
   * {@code proxy_on_downstream_connection_close}.
   *
   * @param peer who closed the connection
   */
  public void onDownstreamClose(PeerType peer) {}

  /**
   * {@code proxy_on_upstream_connection_close}.
   *
   * @param peer who closed the connection
   */
  public void onUpstreamClose(PeerType peer) {}

  /**
   * Returns the downstream data buffered.
   *
   * @return the buffer
   */
  public final Body downstreamData() {
    return downstreamData;
  }

  /**
   * Returns the upstream data buffered.
   *
   * @return the buffer
   */
  public final Body upstreamData() {
    return upstreamData;
  }

  /** Resumes paused downstream data ({@code proxy_continue_stream}). */
  public final void resumeDownstream() {
    check(HostCall.CONTINUE_STREAM, host().continueStream(StreamType.DOWNSTREAM));
  }

  /** Resumes paused upstream data. */
  public final void resumeUpstream() {
    check(HostCall.CONTINUE_STREAM, host().continueStream(StreamType.UPSTREAM));
  }

  /** Closes the downstream connection ({@code proxy_close_stream}). */
  public final void closeDownstream() {
    check(HostCall.CLOSE_STREAM, host().closeStream(StreamType.DOWNSTREAM));
  }

  /** Closes the upstream connection. */
  public final void closeUpstream() {
    check(HostCall.CLOSE_STREAM, host().closeStream(StreamType.UPSTREAM));
  }
}

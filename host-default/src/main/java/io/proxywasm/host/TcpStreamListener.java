package io.proxywasm.host;

import io.proxywasm.spi.StreamType;

/** The embedder's side of a TCP stream: the plugin's decisions besides filter statuses. */
public interface TcpStreamListener {
  /** A listener that ignores every decision. */
  TcpStreamListener IGNORE = new TcpStreamListener() {};

  /**
   * The plugin resumes a paused direction ({@code proxy_continue_stream}).
   *
   * @param direction {@link StreamType#DOWNSTREAM} or {@link StreamType#UPSTREAM}
   */
  default void onResume(StreamType direction) {}

  /**
   * The plugin (or the fail-closed policy) closes the connection.
   *
   * @param direction the side to close
   */
  default void onClose(StreamType direction) {}
}

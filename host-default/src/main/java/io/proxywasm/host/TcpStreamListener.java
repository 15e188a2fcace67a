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

  /**
   * Called when the plugin sets a property on this connection with {@code proxy_set_property}. The
   * host keeps the value (Envoy keeps it as filter state {@code wasm.<path>}), so later {@code
   * proxy_get_property} calls on the same path find it for the rest of the connection; this hook
   * only lets the embedder see it, for example to copy it to its own request attributes.
   *
   * @param path the property path, one segment per element
   * @param value the value the plugin set
   */
  default void onPropertySet(java.util.List<String> path, byte[] value) {}
}

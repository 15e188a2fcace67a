package io.proxywasm.host;

import io.proxywasm.spi.StreamType;

/**
 * The embedder's side of an HTTP stream: what the plugin decided outside of the filter statuses the
 * callbacks return. Each method is called after the plugin's callback has returned, on the thread
 * that drove the stream (or, for asynchronous resumes, the thread that delivered the event that
 * resumed it).
 */
public interface HttpStreamListener {
  /** A listener that ignores every decision. */
  HttpStreamListener IGNORE = new HttpStreamListener() {};

  /**
   * The plugin (or the fail-closed policy) replies locally instead of forwarding.
   *
   * @param response the reply
   */
  default void onLocalResponse(LocalResponse response) {}

  /**
   * The plugin resumes a paused direction ({@code proxy_continue_stream}).
   *
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   */
  default void onResume(StreamType direction) {}

  /**
   * The plugin closes a direction ({@code proxy_close_stream}).
   *
   * @param direction the direction
   */
  default void onClose(StreamType direction) {}

  /**
   * Called when the plugin sets a property on this stream with {@code proxy_set_property}. The host
   * keeps the value (Envoy keeps it as filter state {@code wasm.<path>}), so later {@code
   * proxy_get_property} calls on the same path find it for the rest of the stream; this hook only
   * lets the embedder see it, for example to copy it to its own request attributes.
   *
   * @param path the property path, one segment per element
   * @param value the value the plugin set
   */
  default void onPropertySet(java.util.List<String> path, byte[] value) {}
}

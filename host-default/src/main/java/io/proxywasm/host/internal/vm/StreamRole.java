package io.proxywasm.host.internal.vm;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.WasmResult;
import java.util.List;
import java.util.Optional;

/**
 * What a context is attached to on the embedder's side: an HTTP stream, a TCP connection, or
 * nothing (root contexts). Host calls about streams land here.
 */
public interface StreamRole {
  /** A role with no stream: every stream call finds nothing. */
  StreamRole NONE = new StreamRole() {};

  /**
   * Returns one of the stream's header maps (types 0 to 3) that the plugin may change now; null
   * rather than an {@code Optional}, as host calls read it on every request.
   *
   * @param type the map type code
   * @return the map, or null if the map is not available now (not arrived yet, or gone since its
   *     callback continued)
   */
  default HeaderMap headerMapOrNull(int type) {
    return null;
  }

  /**
   * Returns one of the stream's header maps (types 0 to 3) that the plugin may read now: the
   * writable map, or during {@code proxy_on_log} the final one (Envoy's access-log maps).
   *
   * @param type the map type code
   * @return the map, or null if none is available
   */
  default HeaderMap readableHeaderMapOrNull(int type) {
    return headerMapOrNull(type);
  }

  /**
   * Whether the stream is in its access-log phase ({@code proxy_on_log}).
   *
   * @return true during {@code proxy_on_log}
   */
  default boolean inLogPhase() {
    return false;
  }

  /**
   * Returns one of the stream's buffers (types 0 to 3).
   *
   * @param type the buffer type code
   * @return the buffer, or empty when the stream has no such buffer at all
   */
  default Optional<BodyBuffer> buffer(int type) {
    return Optional.empty();
  }

  /**
   * Whether the plugin may change a buffer of this stream now.
   *
   * @param type the buffer type code
   * @return true when {@code proxy_set_buffer_bytes} may change it
   */
  default boolean bufferWritable(int type) {
    return false;
  }

  /**
   * Ends the plugin's access to the maps and body of a direction it continues, at once (Envoy's
   * {@code Context::continueStream}); the embedder is told to resume after the call.
   *
   * @param type the direction
   */
  default void releaseMaps(StreamType type) {}

  /**
   * Resumes a paused direction of the stream. A direction the stream does not have is a no-op.
   *
   * @param type the direction
   * @return the result for the plugin
   */
  default WasmResult continueStream(StreamType type) {
    return WasmResult.OK;
  }

  /**
   * Closes a direction of the stream. A direction the stream does not have is a no-op.
   *
   * @param type the direction
   * @return the result for the plugin
   */
  default WasmResult closeStream(StreamType type) {
    return WasmResult.OK;
  }

  /**
   * Sends a local reply instead of forwarding.
   *
   * @param response the reply
   * @return the result for the plugin
   */
  default WasmResult sendLocalResponse(LocalResponse response) {
    return WasmResult.NOT_FOUND;
  }

  /**
   * Fails the stream after a VM failure, as the fail-closed policy demands.
   *
   * @param type the direction
   */
  default void failStream(StreamType type) {
    closeStream(type);
  }

  /**
   * Returns a property of this stream (request, connection, ...), or one the plugin set on it.
   *
   * @param path the path segments
   * @return the value, or empty if the stream does not know it
   */
  default Optional<byte[]> property(List<String> path) {
    return Optional.empty();
  }

  /**
   * Stores a property the plugin sets on this stream, for the rest of the stream.
   *
   * @param path the path segments
   * @param value the value
   * @return {@link WasmResult#OK}, or {@link WasmResult#NOT_FOUND} when there is no stream
   */
  default WasmResult setProperty(List<String> path, byte[] value) {
    return WasmResult.NOT_FOUND;
  }

  /**
   * Returns the listener the embedder opened this stream with, for the foreign functions that act
   * on the calling stream.
   *
   * @return the listener, or null when there is no stream
   */
  default Object listener() {
    return null;
  }
}

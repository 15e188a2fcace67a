package io.proxywasm.host.internal;

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
   * Returns one of the stream's header maps (types 0 to 3); null rather than an {@code Optional},
   * as host calls read it on every request.
   *
   * @param type the map type code
   * @return the map, or null if the stream has none of that type (yet)
   */
  default HeaderMap headerMapOrNull(int type) {
    return null;
  }

  /**
   * Returns one of the stream's buffers (types 0 to 3).
   *
   * @param type the buffer type code
   * @return the buffer, or empty
   */
  default Optional<BodyBuffer> buffer(int type) {
    return Optional.empty();
  }

  /**
   * Resumes a paused direction of the stream.
   *
   * @param type the direction
   * @return the result for the plugin
   */
  default WasmResult continueStream(StreamType type) {
    return WasmResult.NOT_FOUND;
  }

  /**
   * Closes a direction of the stream.
   *
   * @param type the direction
   * @return the result for the plugin
   */
  default WasmResult closeStream(StreamType type) {
    return WasmResult.NOT_FOUND;
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
   * Returns a property of this stream (request, connection, ...).
   *
   * @param path the path segments
   * @return the value, or empty if the stream does not know it
   */
  default Optional<byte[]> property(List<String> path) {
    return Optional.empty();
  }
}

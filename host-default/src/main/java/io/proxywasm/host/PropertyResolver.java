package io.proxywasm.host;

import java.util.List;
import java.util.Optional;

/**
 * Answers {@code proxy_get_property}: the attributes of the request, connection and proxy (Envoy's
 * {@code request.path}, {@code source.address} and so on) as the embedder knows them. Values are
 * raw bytes in Envoy's encodings: strings as UTF-8, integers as 8-byte little-endian, booleans as
 * one byte. What a plugin sets with {@code proxy_set_property} is kept by the host on the stream
 * (see {@link HttpStreamListener#onPropertySet}).
 */
public interface PropertyResolver {
  /** A resolver that knows nothing. */
  PropertyResolver NONE = path -> Optional.empty();

  /**
   * Returns a property.
   *
   * @param path the path segments, for example {@code ["request", "path"]}
   * @return the value, or empty if unknown
   */
  Optional<byte[]> get(List<String> path);
}

package io.proxywasm.host.internal.abi;

import io.proxywasm.host.PropertyResolver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The properties of one stream: those the plugin set with {@code proxy_set_property}, kept for the
 * rest of the stream as Envoy keeps them (filter state {@code wasm.<path>}), in front of those the
 * embedder resolves.
 */
final class StreamProperties {
  private final PropertyResolver resolver;
  private final BiConsumer<List<String>, byte[]> onSet;
  private Map<List<String>, byte[]> set;

  StreamProperties(PropertyResolver resolver, BiConsumer<List<String>, byte[]> onSet) {
    this.resolver = resolver;
    this.onSet = onSet;
  }

  Optional<byte[]> get(List<String> path) {
    if (set != null) {
      byte[] value = set.get(path);
      if (value != null) {
        return Optional.of(value.clone());
      }
    }
    return resolver.get(path);
  }

  void set(List<String> path, byte[] value) {
    if (set == null) {
      set = new HashMap<>();
    }
    List<String> key = List.copyOf(path);
    set.put(key, value.clone());
    onSet.accept(key, value.clone());
  }

  Map<List<String>, byte[]> snapshot() {
    Map<List<String>, byte[]> out = new HashMap<>();
    if (set != null) {
      set.forEach((k, v) -> out.put(k, v.clone()));
    }
    return out;
  }
}

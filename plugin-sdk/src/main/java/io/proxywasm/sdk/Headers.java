package io.proxywasm.sdk;

import io.proxywasm.spi.Header;
import io.proxywasm.spi.HeaderMapType;
import io.proxywasm.spi.HostCall;
import java.util.List;
import java.util.Optional;

/**
 * One header map of a stream (request or response headers or trailers), read and changed through
 * the host. Names are matched without regard to case; the host stores them in lower case.
 */
public final class Headers {
  private final Context context;
  private final HeaderMapType type;

  Headers(Context context, HeaderMapType type) {
    this.context = context;
    this.type = type;
  }

  /**
   * Returns which map this is.
   *
   * @return the map type
   */
  public HeaderMapType type() {
    return type;
  }

  /**
   * Returns the value of a header ({@code proxy_get_header_map_value}); several values of one name
   * come joined by commas, as Envoy joins them.
   *
   * @param name the header name
   * @return the value, or empty when the header or the map is absent
   */
  public Optional<String> get(String name) {
    io.proxywasm.spi.HostResult<String> value = context.host().headerMapValue(type, name);
    return value.isOk() ? Optional.of(value.value()) : Optional.empty();
  }

  /**
   * Returns every entry in order ({@code proxy_get_header_map_pairs}).
   *
   * @return the entries; empty when the map is absent
   */
  public List<Header> entries() {
    return context.pairs(type);
  }

  /**
   * Adds a value, keeping earlier values of the name ({@code proxy_add_header_map_value}).
   *
   * @param name the header name
   * @param value the value
   * @throws HostCallException when the map is not available in this callback
   */
  public void add(String name, String value) {
    Context.check(
        HostCall.ADD_HEADER_MAP_VALUE, context.host().addHeaderMapValue(type, name, value));
  }

  /**
   * Sets a header, replacing its values ({@code proxy_replace_header_map_value}).
   *
   * @param name the header name
   * @param value the value
   * @throws HostCallException when the map is not available in this callback
   */
  public void set(String name, String value) {
    Context.check(
        HostCall.REPLACE_HEADER_MAP_VALUE, context.host().replaceHeaderMapValue(type, name, value));
  }

  /**
   * Removes every value of a header ({@code proxy_remove_header_map_value}).
   *
   * @param name the header name
   * @throws HostCallException when the map is not available in this callback
   */
  public void remove(String name) {
    Context.check(
        HostCall.REMOVE_HEADER_MAP_VALUE, context.host().removeHeaderMapValue(type, name));
  }

  /**
   * Replaces the whole map ({@code proxy_set_header_map_pairs}).
   *
   * @param entries the new entries, in order
   * @throws HostCallException when the map is not available in this callback
   */
  public void setAll(List<Header> entries) {
    Context.check(HostCall.SET_HEADER_MAP_PAIRS, context.host().setHeaderMapPairs(type, entries));
  }

  /**
   * Tells whether the map is available in this callback.
   *
   * @return true when the host has the map
   */
  public boolean isAvailable() {
    return context.host().headerMapSize(type).isPresent();
  }

  /**
   * Returns a header's value or a default.
   *
   * @param name the header name
   * @param fallback the value when absent
   * @return the value
   */
  public String getOrDefault(String name, String fallback) {
    return get(name).orElse(fallback);
  }
}

package io.proxywasm.gateway;

/**
 * What Envoy's stream-bound foreign functions act on: the listener of a plugin's HTTP or TCP stream
 * in the gateway, which the host hands back to the function as the calling stream.
 */
interface GatewayStream {
  /**
   * Keeps an object of Envoy's filter state for the rest of the stream (connection or request).
   *
   * @param key the filter state key (a registered object factory's name)
   * @param value the object's bytes
   */
  void setFilterState(String key, byte[] value);

  /** Envoy's {@code clearRouteCache}: the route is picked again before the router takes it. */
  void clearRouteCache();
}

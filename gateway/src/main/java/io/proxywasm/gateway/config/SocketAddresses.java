package io.proxywasm.gateway.config;

import io.proxywasm.gateway.config.GatewaySpec.Endpoint;

/** Envoy's socket addresses: where a listener or the admin binds, where an upstream is. */
final class SocketAddresses {
  private SocketAddresses() {}

  /**
   * An address.
   *
   * @param socketAddress the socket address
   */
  record Address(SocketAddress socketAddress) {}

  /**
   * A socket address.
   *
   * @param address the host
   * @param portValue the port
   * @param protocol TCP
   */
  record SocketAddress(String address, Integer portValue, String protocol) {}

  /** Checks an address: a host, a port from 0 to 65535, TCP. */
  static Endpoint endpoint(Address a, String path) throws ConfigException {
    if (a == null || a.socketAddress() == null) {
      throw new ConfigException(path + ".socket_address: required");
    }
    SocketAddress s = a.socketAddress();
    if (s.address() == null || s.address().isEmpty()) {
      throw new ConfigException(path + ".socket_address.address: required");
    }
    if (s.portValue() == null) {
      throw new ConfigException(path + ".socket_address.port_value: required");
    }
    if (s.portValue() < 0 || s.portValue() > 65535) {
      throw new ConfigException(
          path + ".socket_address.port_value: " + s.portValue() + " is not a port (0 to 65535)");
    }
    if (s.protocol() != null && !s.protocol().equals("TCP")) {
      throw new ConfigException(
          path + ".socket_address.protocol: only TCP is supported, not " + s.protocol());
    }
    return new Endpoint(s.address(), s.portValue());
  }
}

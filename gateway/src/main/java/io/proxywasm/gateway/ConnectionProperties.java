package io.proxywasm.gateway;

import io.vertx.core.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The properties an HTTP stream and a TCP connection share, as Envoy encodes them: the downstream
 * connection's addresses and id, the upstream endpoint, the listener direction.
 */
final class ConnectionProperties {
  private ConnectionProperties() {}

  /**
   * A property of the connection or the upstream endpoint, or empty.
   *
   * @param key the property path joined with dots
   * @param remote the client's address
   * @param local the address the client reached
   * @param connectionId the downstream connection's id
   * @param cluster the upstream cluster, or null
   * @param endpointIndex the endpoint picked in it, or -1
   */
  static Optional<byte[]> get(
      String key,
      SocketAddress remote,
      SocketAddress local,
      LongSupplier connectionId,
      ClusterRuntime cluster,
      int endpointIndex) {
    switch (key) {
      case "source.address":
        return addr(remote);
      case "source.port":
        return remote == null ? Optional.empty() : i64(remote.port());
      case "destination.address":
        return addr(local);
      case "destination.port":
        return local == null ? Optional.empty() : i64(local.port());
      case "connection.id":
        return i64(connectionId.getAsLong());
      case "connection.mtls":
        return Optional.of(new byte[] {0});
      case "connection.requested_server_name":
        return str("");
      case "upstream.address":
        return endpointIndex < 0
            ? Optional.empty()
            : str(
                cluster.endpoint(endpointIndex).host()
                    + ":"
                    + cluster.endpoint(endpointIndex).port());
      case "upstream.port":
        return endpointIndex < 0 ? Optional.empty() : i64(cluster.endpoint(endpointIndex).port());
      case "xds.listener_direction":
      case "listener_direction":
        return i64(0);
      default:
        return Optional.empty();
    }
  }

  static Optional<byte[]> str(String s) {
    return s == null ? Optional.empty() : Optional.of(s.getBytes(StandardCharsets.UTF_8));
  }

  static Optional<byte[]> i64(long v) {
    return Optional.of(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
  }

  /** An address as host:port, an IPv6 host in brackets. */
  static Optional<byte[]> addr(SocketAddress a) {
    if (a == null || a.hostAddress() == null) {
      return Optional.empty();
    }
    String host = a.hostAddress();
    if (host.indexOf(':') >= 0) {
      host = "[" + host + "]";
    }
    return str(host + ":" + a.port());
  }
}

package io.proxywasm.gateway;

import io.vertx.core.net.SocketAddress;

/**
 * What an access log line reads of one finished request or TCP connection. Built only when the
 * listener has access logs, once the request or connection ended, on its event loop.
 */
interface AccessLogRecord {
  /**
   * Returns when it started.
   *
   * @return milliseconds since the epoch
   */
  long startMillis();

  /**
   * Returns how long it took.
   *
   * @return milliseconds
   */
  long durationMillis();

  /**
   * Returns a request header.
   *
   * @param name the lower-case name
   * @return its first value, or null
   */
  String requestHeader(String name);

  /**
   * Returns a response header.
   *
   * @param name the lower-case name
   * @return its first value, or null
   */
  String responseHeader(String name);

  /**
   * Returns a response trailer.
   *
   * @param name the lower-case name
   * @return its first value, or null
   */
  String responseTrailer(String name);

  /**
   * Returns the downstream protocol.
   *
   * @return such as HTTP/1.1, or null for TCP
   */
  String protocol();

  /**
   * Returns the response code.
   *
   * @return the status, 0 when none was sent
   */
  int responseCode();

  /**
   * Returns Envoy's response code details.
   *
   * @return the details, or null
   */
  String details();

  /**
   * Returns Envoy's response flags.
   *
   * @return such as UF or NR, or null for none
   */
  String responseFlags();

  /**
   * Returns the bytes received from downstream (the body, for HTTP).
   *
   * @return the count
   */
  long bytesReceived();

  /**
   * Returns the bytes sent downstream (the body, for HTTP).
   *
   * @return the count
   */
  long bytesSent();

  /**
   * Returns what is known of the upstream.
   *
   * @return the upstream info, possibly without an endpoint
   */
  UpstreamInfo upstream();

  /**
   * Returns the upstream cluster.
   *
   * @return its name, or null
   */
  String upstreamCluster();

  /**
   * Returns the client's address.
   *
   * @return the address, or null
   */
  SocketAddress downstreamRemote();

  /**
   * Returns the address the client connected to.
   *
   * @return the address, or null
   */
  SocketAddress downstreamLocal();

  /**
   * Returns the route's name.
   *
   * @return the name, or null
   */
  String routeName();

  /**
   * Returns the TLS server name the client asked for.
   *
   * @return the name, or null
   */
  String requestedServerName();

  /**
   * Returns the downstream connection's id.
   *
   * @return the id
   */
  long connectionId();

  /**
   * Envoy's response flags for a response code detail the gateway sets.
   *
   * @param details the details
   * @return the flags, or null for none
   */
  static String flags(String details) {
    if (details == null || details.isEmpty()) {
      return null;
    }
    if (details.equals("route_not_found")) {
      return "NR";
    }
    if (details.equals("upstream_response_timeout")) {
      return "UT";
    }
    if (details.equals("downstream_remote_disconnect")) {
      return "DC";
    }
    if (details.contains("connection_failure")) {
      return "UF";
    }
    if (details.contains("connection_termination")) {
      return "UC";
    }
    if (details.contains("protocol_error")) {
      return "UPE";
    }
    if (details.startsWith("upstream_reset")) {
      return "UR";
    }
    return null;
  }
}

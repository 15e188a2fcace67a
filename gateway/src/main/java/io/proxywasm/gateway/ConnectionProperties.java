package io.proxywasm.gateway;

import io.vertx.core.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * The properties an HTTP stream and a TCP connection share, as Envoy encodes them: the downstream
 * connection's addresses and id, the upstream (endpoint, connection, TLS session), the listener
 * direction.
 */
final class ConnectionProperties {
  private ConnectionProperties() {}

  /** OpenSSL's short names of name attributes Java's RFC 2253 form writes as object ids. */
  private static final Map<String, String> SHORT_NAMES =
      Map.ofEntries(
          Map.entry("1.2.840.113549.1.9.1", "emailAddress"),
          Map.entry("2.5.4.5", "serialNumber"),
          Map.entry("2.5.4.4", "SN"),
          Map.entry("2.5.4.42", "GN"),
          Map.entry("2.5.4.12", "title"),
          Map.entry("2.5.4.43", "initials"),
          Map.entry("2.5.4.44", "generationQualifier"),
          Map.entry("2.5.4.46", "dnQualifier"),
          Map.entry("2.5.4.65", "pseudonym"),
          Map.entry("2.5.4.15", "businessCategory"),
          Map.entry("2.5.4.17", "postalCode"));

  /**
   * A property of the connection or the upstream, or empty.
   *
   * @param key the property path joined with dots
   * @param remote the client's address
   * @param local the address the client reached
   * @param connectionId the downstream connection's id
   * @param up what is known of the upstream
   */
  static Optional<byte[]> get(
      String key,
      SocketAddress remote,
      SocketAddress local,
      LongSupplier connectionId,
      UpstreamInfo up) {
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
      case "xds.listener_direction":
      case "listener_direction":
        return i64(0);
      default:
        return key.startsWith("upstream.") ? upstream(key.substring(9), up) : Optional.empty();
    }
  }

  /**
   * An {@code upstream.*} property, as Envoy's upstream attributes: the endpoint's address and
   * port, the connection's local address, the TLS failure, the attempt count, the cluster's
   * endpoint count, the pool's wait; over TLS the session's version and the certificates' subjects,
   * first URI and DNS names and the peer's SHA-256 digest.
   */
  private static Optional<byte[]> upstream(String field, UpstreamInfo up) {
    switch (field) {
      case "address":
        return !up.present()
            ? Optional.empty()
            : str(
                up.cluster.endpoint(up.endpointIndex).host()
                    + ":"
                    + up.cluster.endpoint(up.endpointIndex).port());
      case "port":
        return !up.present() ? Optional.empty() : i64(up.cluster.endpoint(up.endpointIndex).port());
      case "local_address":
        return !up.present() ? Optional.empty() : addr(up.localAddress);
      case "transport_failure_reason":
        return !up.present() ? Optional.empty() : str(up.transportFailureReason);
      case "request_attempt_count":
        return i64(up.attempts);
      case "num_endpoints":
        return up.cluster == null ? Optional.empty() : i64(up.cluster.endpointCount());
      case "cx_pool_ready_duration":
        return !up.present() || up.poolReadyNanos < 0 ? Optional.empty() : i64(up.poolReadyNanos);
      default:
        return up.present() && up.tls != null ? tls(field, up.tls) : Optional.empty();
    }
  }

  /**
   * A property of a TLS session, as Envoy reads its SSL connection: the version ({@code TLSv1.3});
   * the local and peer certificates' subjects in RFC 2253 form (empty without a certificate), their
   * first URI and DNS subject alternative names, and the peer certificate's SHA-256 digest in lower
   * case hex.
   */
  static Optional<byte[]> tls(String field, SSLSession session) {
    switch (field) {
      case "tls_version":
        return str(session.getProtocol());
      case "subject_local_certificate":
        return str(subject(first(session.getLocalCertificates())));
      case "subject_peer_certificate":
        return str(subject(peer(session)));
      case "uri_san_local_certificate":
        return san(first(session.getLocalCertificates()), 6);
      case "uri_san_peer_certificate":
        return san(peer(session), 6);
      case "dns_san_local_certificate":
        return san(first(session.getLocalCertificates()), 2);
      case "dns_san_peer_certificate":
        return san(peer(session), 2);
      case "sha256_peer_certificate_digest":
        {
          X509Certificate c = peer(session);
          if (c == null) {
            return Optional.empty();
          }
          try {
            return str(
                HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded())));
          } catch (GeneralSecurityException e) {
            return Optional.empty();
          }
        }
      default:
        return Optional.empty();
    }
  }

  private static X509Certificate peer(SSLSession session) {
    try {
      return first(session.getPeerCertificates());
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  private static X509Certificate first(Certificate[] chain) {
    return chain != null && chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
  }

  private static String subject(X509Certificate c) {
    return c == null ? "" : c.getSubjectX500Principal().getName(X500Principal.RFC2253, SHORT_NAMES);
  }

  /** The first subject alternative name of a type (2 DNS, 6 URI), or empty. */
  private static Optional<byte[]> san(X509Certificate c, int type) {
    if (c == null) {
      return Optional.empty();
    }
    try {
      Collection<List<?>> names = c.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> n : names) {
          if ((Integer) n.get(0) == type && n.get(1) instanceof String s) {
            return str(s);
          }
        }
      }
    } catch (CertificateParsingException e) {
      // unreadable names: none
    }
    return Optional.empty();
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

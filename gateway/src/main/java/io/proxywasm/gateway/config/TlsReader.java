package io.proxywasm.gateway.config;

import static io.proxywasm.gateway.config.YamlNodes.convert;
import static io.proxywasm.gateway.config.YamlNodes.typed;
import static io.proxywasm.gateway.config.YamlNodes.unsupported;

import com.fasterxml.jackson.databind.JsonNode;
import io.proxywasm.gateway.config.DataSources.DataSource;
import io.proxywasm.gateway.config.GatewaySpec.SanMatcher;
import io.proxywasm.gateway.config.GatewaySpec.TlsSpec;
import io.proxywasm.gateway.config.GatewaySpec.UpstreamTlsSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SNIHostName;

/**
 * A {@code transport_socket}: downstream TLS on a filter chain (one PEM certificate and key), and
 * upstream TLS on a cluster (trusted CAs, SNI, subject alternative names, a client certificate).
 */
final class TlsReader {
  static final String TLS_CONTEXT_TYPE =
      "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
  static final String UPSTREAM_TLS_CONTEXT_TYPE =
      "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";
  private static final List<String> SAN_TYPES = List.of("DNS", "EMAIL", "URI", "IP_ADDRESS");

  private TlsReader() {}

  /**
   * A transport socket.
   *
   * @param name envoy.transport_sockets.tls
   * @param typedConfig a DownstreamTlsContext
   */
  record TransportSocket(String name, JsonNode typedConfig) {}

  /**
   * A downstream TLS context.
   *
   * @param commonTlsContext the certificate and ALPN protocols
   */
  record DownstreamTlsContext(CommonTlsContext commonTlsContext) {}

  /**
   * The certificate and ALPN protocols.
   *
   * @param tlsCertificates exactly one certificate
   * @param alpnProtocols the protocols offered, such as h2 and http/1.1
   */
  record CommonTlsContext(List<TlsCertificate> tlsCertificates, List<String> alpnProtocols) {}

  /**
   * A certificate and its key.
   *
   * @param certificateChain the PEM chain
   * @param privateKey the PEM key
   */
  record TlsCertificate(DataSource certificateChain, DataSource privateKey) {}

  /**
   * An upstream TLS context.
   *
   * @param sni the server name to send
   * @param commonTlsContext the validation, client certificate and ALPN protocols
   */
  record UpstreamTlsContext(String sni, UpstreamCommonTlsContext commonTlsContext) {}

  /**
   * The upstream side's common context.
   *
   * @param tlsCertificates at most one client certificate
   * @param validationContext how the server's certificate is checked, or null for not at all
   * @param alpnProtocols the protocols offered
   */
  record UpstreamCommonTlsContext(
      List<TlsCertificate> tlsCertificates,
      ValidationContext validationContext,
      List<String> alpnProtocols) {}

  /**
   * The checks of the peer certificate.
   *
   * @param trustedCa the PEM certificates the chain must lead to
   * @param matchTypedSubjectAltNames typed SAN matchers
   * @param matchSubjectAltNames SAN matchers of any type (Envoy's older field)
   */
  record ValidationContext(
      DataSource trustedCa,
      List<TypedSanMatcher> matchTypedSubjectAltNames,
      List<StringMatcher> matchSubjectAltNames) {}

  /**
   * A typed SAN matcher.
   *
   * @param sanType DNS, EMAIL, URI or IP_ADDRESS
   * @param matcher the string matcher
   */
  record TypedSanMatcher(String sanType, StringMatcher matcher) {}

  /**
   * Envoy's string matcher, without regular expressions.
   *
   * @param exact the whole string
   * @param prefix a prefix
   * @param suffix a suffix
   * @param contains a part
   * @param ignoreCase whether case is ignored
   */
  record StringMatcher(
      String exact, String prefix, String suffix, String contains, Boolean ignoreCase) {}

  /**
   * Upstream TLS from a cluster's transport socket.
   *
   * @param ts the transport socket, or null
   * @param path the place in the YAML
   * @param files where data sources are read
   * @param http2 whether the cluster speaks HTTP/2, which must then be offered by ALPN
   * @return the settings, or null for plain text
   */
  static UpstreamTlsSpec upstream(TransportSocket ts, String path, DataSources files, boolean http2)
      throws ConfigException {
    if (ts == null) {
      return null;
    }
    if (!"envoy.transport_sockets.tls".equals(ts.name()) && !"tls".equals(ts.name())) {
      throw unsupported(path, "transport socket", ts.name(), "envoy.transport_sockets.tls");
    }
    String tp = path + ".typed_config";
    UpstreamTlsContext u =
        convert(
            typed(ts.typedConfig(), tp, UPSTREAM_TLS_CONTEXT_TYPE), UpstreamTlsContext.class, tp);
    String sni = u.sni() == null || u.sni().isEmpty() ? null : u.sni();
    if (sni != null) {
      try {
        new SNIHostName(sni);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(tp + ".sni: " + sni + " is not a host name", e);
      }
    }
    String cp = tp + ".common_tls_context";
    UpstreamCommonTlsContext c =
        u.commonTlsContext() == null
            ? new UpstreamCommonTlsContext(null, null, null)
            : u.commonTlsContext();
    List<X509Certificate> trusted = null;
    List<SanMatcher> sans = new ArrayList<>();
    ValidationContext v = c.validationContext();
    if (v != null) {
      String vp = cp + ".validation_context";
      if (v.trustedCa() == null) {
        throw new ConfigException(
            vp
                + ".trusted_ca: required (without a validation_context the server certificate is"
                + " not verified)");
      }
      trusted = certificates(files.data(v.trustedCa(), vp + ".trusted_ca"), vp + ".trusted_ca");
      List<TypedSanMatcher> typed =
          v.matchTypedSubjectAltNames() == null ? List.of() : v.matchTypedSubjectAltNames();
      for (int i = 0; i < typed.size(); i++) {
        String mp = vp + ".match_typed_subject_alt_names[" + i + "]";
        TypedSanMatcher m = typed.get(i);
        if (m.sanType() == null || !SAN_TYPES.contains(m.sanType())) {
          throw new ConfigException(
              mp
                  + ".san_type: "
                  + (m.sanType() == null ? "required" : m.sanType() + " is not supported")
                  + " (supported: "
                  + String.join(", ", SAN_TYPES)
                  + ")");
        }
        sans.add(matcher(m.sanType(), m.matcher(), mp + ".matcher"));
      }
      List<StringMatcher> any =
          v.matchSubjectAltNames() == null ? List.of() : v.matchSubjectAltNames();
      for (int i = 0; i < any.size(); i++) {
        sans.add(matcher(null, any.get(i), vp + ".match_subject_alt_names[" + i + "]"));
      }
    }
    String chain = null;
    String key = null;
    List<TlsCertificate> certs = c.tlsCertificates() == null ? List.of() : c.tlsCertificates();
    if (certs.size() > 1) {
      throw new ConfigException(cp + ".tls_certificates: at most one client certificate");
    }
    if (certs.size() == 1) {
      String certPath = cp + ".tls_certificates[0]";
      TlsCertificate cert = certs.get(0);
      if (cert.certificateChain() == null || cert.privateKey() == null) {
        throw new ConfigException(certPath + ": certificate_chain and private_key are required");
      }
      byte[] pem = files.data(cert.certificateChain(), certPath + ".certificate_chain");
      certificates(pem, certPath + ".certificate_chain");
      chain = new String(pem, StandardCharsets.UTF_8);
      key =
          new String(
              files.data(cert.privateKey(), certPath + ".private_key"), StandardCharsets.UTF_8);
      if (!key.contains("PRIVATE KEY-----")) {
        throw new ConfigException(certPath + ".private_key: not a PEM private key");
      }
    }
    List<String> alpn = alpn(c.alpnProtocols(), cp);
    if (http2 && !alpn.isEmpty() && !alpn.contains("h2")) {
      throw new ConfigException(
          cp + ".alpn_protocols: the cluster speaks HTTP/2, so h2 must be offered");
    }
    return new UpstreamTlsSpec(sni, trusted, sans, chain, key, alpn);
  }

  private static SanMatcher matcher(String sanType, StringMatcher m, String path)
      throws ConfigException {
    if (m == null) {
      throw new ConfigException(path + ": required");
    }
    String kind = null;
    String value = null;
    int set = 0;
    for (String[] kv :
        new String[][] {
          {"exact", m.exact()},
          {"prefix", m.prefix()},
          {"suffix", m.suffix()},
          {"contains", m.contains()}
        }) {
      if (kv[1] != null) {
        set++;
        kind = kv[0];
        value = kv[1];
      }
    }
    if (set != 1) {
      throw new ConfigException(
          path + ": exactly one of exact, prefix, suffix, contains is required");
    }
    return new SanMatcher(sanType, kind, value, Boolean.TRUE.equals(m.ignoreCase()));
  }

  /** The X.509 certificates of PEM text; none is an error. */
  private static List<X509Certificate> certificates(byte[] pem, String path)
      throws ConfigException {
    List<X509Certificate> out = new ArrayList<>();
    try {
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem))) {
        out.add((X509Certificate) c);
      }
    } catch (CertificateException e) {
      throw new ConfigException(path + ": not PEM certificates: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new ConfigException(path + ": no PEM certificate");
    }
    return out;
  }

  private static List<String> alpn(List<String> protocols, String cp) throws ConfigException {
    List<String> alpn = protocols == null ? List.of() : protocols;
    for (int i = 0; i < alpn.size(); i++) {
      if (!alpn.get(i).equals("h2") && !alpn.get(i).equals("http/1.1")) {
        throw new ConfigException(
            cp + ".alpn_protocols[" + i + "]: " + alpn.get(i) + " is not h2 or http/1.1");
      }
    }
    return alpn;
  }

  /** Downstream TLS from a transport socket: one PEM certificate and key, files only. */
  static TlsSpec tls(TransportSocket ts, String path, DataSources files) throws ConfigException {
    if (ts == null) {
      return null;
    }
    if (!"envoy.transport_sockets.tls".equals(ts.name()) && !"tls".equals(ts.name())) {
      throw unsupported(path, "transport socket", ts.name(), "envoy.transport_sockets.tls");
    }
    String tp = path + ".typed_config";
    DownstreamTlsContext d =
        convert(typed(ts.typedConfig(), tp, TLS_CONTEXT_TYPE), DownstreamTlsContext.class, tp);
    CommonTlsContext c = d.commonTlsContext();
    String cp = tp + ".common_tls_context";
    if (c == null || c.tlsCertificates() == null || c.tlsCertificates().size() != 1) {
      throw new ConfigException(cp + ".tls_certificates: exactly one certificate is required");
    }
    TlsCertificate cert = c.tlsCertificates().get(0);
    String certPath = cp + ".tls_certificates[0]";
    Path chain = files.readableFile(cert.certificateChain(), certPath + ".certificate_chain");
    Path key = files.readableFile(cert.privateKey(), certPath + ".private_key");
    List<String> alpn = alpn(c.alpnProtocols(), cp);
    return new TlsSpec(chain, key, alpn);
  }
}

package io.proxywasm.gateway.config;

import static io.proxywasm.gateway.config.YamlNodes.convert;
import static io.proxywasm.gateway.config.YamlNodes.typed;
import static io.proxywasm.gateway.config.YamlNodes.unsupported;

import com.fasterxml.jackson.databind.JsonNode;
import io.proxywasm.gateway.config.DataSources.DataSource;
import io.proxywasm.gateway.config.GatewaySpec.TlsSpec;
import java.nio.file.Path;
import java.util.List;

/** A filter chain's {@code transport_socket}: downstream TLS with one PEM certificate and key. */
final class TlsReader {
  static final String TLS_CONTEXT_TYPE =
      "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";

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
    List<String> alpn = c.alpnProtocols() == null ? List.of() : c.alpnProtocols();
    for (int i = 0; i < alpn.size(); i++) {
      if (!alpn.get(i).equals("h2") && !alpn.get(i).equals("http/1.1")) {
        throw new ConfigException(
            cp + ".alpn_protocols[" + i + "]: " + alpn.get(i) + " is not h2 or http/1.1");
      }
    }
    return new TlsSpec(chain, key, alpn);
  }
}

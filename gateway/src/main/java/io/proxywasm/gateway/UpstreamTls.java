package io.proxywasm.gateway;

import io.proxywasm.gateway.config.GatewaySpec.SanMatcher;
import io.proxywasm.gateway.config.GatewaySpec.UpstreamTlsSpec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Upstream TLS on a cluster's clients, as Envoy applies an {@code UpstreamTlsContext}: without
 * trusted CAs the server is not verified; with them its chain is, and its subject alternative names
 * only when matchers are given (never the host name otherwise). The SNI name is the configured one.
 */
final class UpstreamTls {
  private UpstreamTls() {}

  /** Sets TLS on the HTTP client of a cluster: trust, client certificate and ALPN. */
  static void http(HttpClientOptions o, UpstreamTlsSpec tls, boolean http2) {
    o.setSsl(true).setVerifyHost(false).setUseAlpn(true);
    trust(o, tls);
    if (tls.certificateChain() != null) {
      o.setKeyCertOptions(keyCert(tls));
    }
    // the cluster's protocol is offered when alpn_protocols is empty, as Envoy does
    List<HttpVersion> versions = new ArrayList<>();
    if (tls.alpnProtocols().isEmpty()) {
      versions.add(http2 ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1);
    }
    for (String p : tls.alpnProtocols()) {
      versions.add(p.equals("h2") ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1);
    }
    o.setAlpnVersions(versions);
    // the SNI name is the request host, which is the configured sni (see serverName)
    o.setForceSni(tls.sni() != null);
  }

  /** Sets TLS on the TCP proxy's client of a cluster; the SNI name goes with each connect. */
  static void tcp(NetClientOptions o, UpstreamTlsSpec tls) {
    o.setSsl(true).setHostnameVerificationAlgorithm("");
    trust(o, tls);
    if (tls.certificateChain() != null) {
      o.setKeyCertOptions(keyCert(tls));
    }
    if (!tls.alpnProtocols().isEmpty()) {
      o.setUseAlpn(true).setApplicationLayerProtocols(tls.alpnProtocols());
    }
  }

  private static PemKeyCertOptions keyCert(UpstreamTlsSpec tls) {
    return new PemKeyCertOptions()
        .setCertValue(Buffer.buffer(tls.certificateChain()))
        .setKeyValue(Buffer.buffer(tls.privateKey()));
  }

  private static void trust(ClientOptionsBase o, UpstreamTlsSpec tls) {
    if (tls.trustedCa() == null) {
      o.setTrustAll(true);
      return;
    }
    o.setTrustOptions(TrustOptions.wrap(new Verifier(tls)));
  }

  /**
   * The words for a failed upstream TLS handshake, as Envoy's transport failure reason: a server
   * certificate that does not verify reads as BoringSSL's CERTIFICATE_VERIFY_FAILED.
   *
   * @return the reason, or null when the failure is not one of TLS
   */
  static String failureReason(Throwable t) {
    boolean tlsFailure = false;
    String words = null;
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CertificateException) {
        return "TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED";
      }
      if (c instanceof SSLException) {
        tlsFailure = true;
        if (words == null && c.getMessage() != null) {
          words = c.getMessage();
        }
      }
    }
    return tlsFailure ? "TLS error: " + (words == null ? "handshake failed" : words) : null;
  }

  /** Checks the server's chain against the trusted CAs, then its names against the matchers. */
  private static final class Verifier implements X509TrustManager {
    private final X509TrustManager chain;
    private final List<SanMatcher> matchers;

    Verifier(UpstreamTlsSpec tls) {
      this.matchers = tls.sanMatchers();
      try {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (X509Certificate c : tls.trustedCa()) {
          ks.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        X509TrustManager found = null;
        for (TrustManager tm : tmf.getTrustManagers()) {
          if (tm instanceof X509TrustManager x) {
            found = x;
          }
        }
        if (found == null) {
          throw new IllegalStateException("the JDK offers no X.509 trust manager");
        }
        this.chain = found;
      } catch (GeneralSecurityException | java.io.IOException e) {
        throw new IllegalStateException("cannot load the trusted CA certificates: " + e, e);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType)
        throws CertificateException {
      throw new CertificateException("an upstream connection does not check client certificates");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType)
        throws CertificateException {
      chain.checkServerTrusted(certs, authType);
      if (matchers.isEmpty()) {
        return;
      }
      for (List<?> san : names(certs[0])) {
        String type = sanType((Integer) san.get(0));
        if (type != null && san.get(1) instanceof String name) {
          for (SanMatcher m : matchers) {
            if (m.matches(type, name)) {
              return;
            }
          }
        }
      }
      throw new CertificateException(
          "no subject alternative name of the server certificate matches the configured ones");
    }

    private static Collection<List<?>> names(X509Certificate c) throws CertificateException {
      try {
        Collection<List<?>> n = c.getSubjectAlternativeNames();
        return n == null ? List.of() : n;
      } catch (CertificateParsingException e) {
        throw new CertificateException("the server certificate's names cannot be read", e);
      }
    }

    private static String sanType(int type) {
      switch (type) {
        case 1:
          return "EMAIL";
        case 2:
          return "DNS";
        case 6:
          return "URI";
        case 7:
          return "IP_ADDRESS";
        default:
          return null;
      }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return chain.getAcceptedIssuers();
    }
  }
}

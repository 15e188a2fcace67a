package io.proxywasm.gateway;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.proxywasm.gateway.config.GatewaySpec.ClusterSpec;
import io.proxywasm.gateway.config.GatewaySpec.SanMatcher;
import io.proxywasm.gateway.config.GatewaySpec.UpstreamTlsSpec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Upstream TLS on a cluster's clients, as Envoy applies an {@code UpstreamTlsContext}: without
 * trusted CAs the server is not verified; with them its chain is, and its subject alternative names
 * only when matchers are given (never the host name otherwise).
 *
 * <p>The SNI name is the configured {@code sni}, or with {@code auto_sni} the request's host (not
 * an IP address); otherwise none is sent, whatever the endpoint's host. ALPN offers {@code
 * alpn_protocols}, or the protocol the cluster's pool speaks ({@code http/1.1}, {@code h2}, both
 * with {@code auto_config}); the protocol spoken is the cluster's, and the one the server selects
 * only with {@code auto_config}. Vert.x alone would send the endpoint's host name and speak
 * whatever ALPN selected, so the clients' TLS context is wrapped ({@link Engine}) to set the SNI
 * name and, for an HTTP/1.1 cluster, the ALPN offer on each connection's {@link SSLEngine}.
 */
final class UpstreamTls {
  private UpstreamTls() {}

  /** How a connection's SNI name is chosen. */
  enum Sni {
    /** None is sent. */
    NONE,
    /** The configured {@code sni}. */
    CONFIGURED,
    /** The host the request names to the client; for an IP address, the configured name. */
    REQUEST_HOST
  }

  /** Sets TLS on the HTTP client of a cluster: trust, client certificate, SNI and ALPN. */
  static void http(HttpClientOptions o, ClusterSpec c) {
    UpstreamTlsSpec tls = c.tls();
    // Vert.x picks the protocol by ALPN when it uses ALPN: so it does for auto_config and HTTP/2
    // clusters (a connection that is not HTTP/2 then fails, see ClusterRuntime.speaksAsConfigured);
    // an HTTP/1.1 cluster's ALPN offer is set on the engine and its answer ignored
    boolean alpnPicks = c.mayUseHttp2();
    o.setSsl(true).setVerifyHost(false).setUseAlpn(alpnPicks).setForceSni(false);
    trust(o, tls);
    if (tls.certificateChain() != null) {
      o.setKeyCertOptions(keyCert(tls));
    }
    List<String> offered = new ArrayList<>(tls.alpnProtocols());
    if (offered.isEmpty()) {
      // the pool's protocols, as Envoy's fallback when alpn_protocols is empty
      if (c.mayUseHttp2()) {
        offered.add("h2");
      }
      if (!c.http2()) {
        offered.add("http/1.1");
      }
    }
    if (alpnPicks) {
      List<HttpVersion> versions = new ArrayList<>();
      for (String p : offered) {
        versions.add(p.equals("h2") ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1);
      }
      o.setAlpnVersions(versions);
    }
    Sni sni = c.autoSni() ? Sni.REQUEST_HOST : tls.sni() != null ? Sni.CONFIGURED : Sni.NONE;
    o.setSslEngineOptions(new Engine(sni, tls.sni(), alpnPicks ? null : offered));
  }

  /** Sets TLS on the TCP proxy's client of a cluster: its SNI name is the configured one. */
  static void tcp(NetClientOptions o, UpstreamTlsSpec tls) {
    o.setSsl(true).setHostnameVerificationAlgorithm("");
    trust(o, tls);
    if (tls.certificateChain() != null) {
      o.setKeyCertOptions(keyCert(tls));
    }
    if (!tls.alpnProtocols().isEmpty()) {
      o.setUseAlpn(true).setApplicationLayerProtocols(tls.alpnProtocols());
    }
    o.setSslEngineOptions(
        new Engine(tls.sni() != null ? Sni.CONFIGURED : Sni.NONE, tls.sni(), null));
  }

  /**
   * The JDK's TLS engine, with each client connection's SNI name (and, when Vert.x does not
   * negotiate ALPN itself, its ALPN offer) set as the cluster says.
   */
  static final class Engine extends JdkSSLEngineOptions {
    private final Sni sni;
    private final String name;
    private final List<String> alpn;

    /**
     * @param sni how the SNI name is chosen
     * @param name the configured name, or null
     * @param alpn the protocols to offer, or null when Vert.x offers them
     */
    Engine(Sni sni, String name, List<String> alpn) {
      this.sni = sni;
      this.name = name;
      this.alpn = alpn == null ? null : List.copyOf(alpn);
    }

    private Engine(Engine that) {
      super(that);
      this.sni = that.sni;
      this.name = that.name;
      this.alpn = that.alpn;
    }

    @Override
    public JdkSSLEngineOptions copy() {
      return new Engine(this);
    }

    @Override
    public SslContextFactory sslContextFactory() {
      SslContextFactory f = super.sslContextFactory();
      return new SslContextFactory() {
        @Override
        public SslContextFactory useAlpn(boolean useAlpn) {
          f.useAlpn(useAlpn);
          return this;
        }

        @Override
        public SslContextFactory clientAuth(ClientAuth clientAuth) {
          f.clientAuth(clientAuth);
          return this;
        }

        @Override
        public SslContextFactory forClient(boolean forClient) {
          f.forClient(forClient);
          return this;
        }

        @Override
        public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
          f.keyMananagerFactory(kmf);
          return this;
        }

        @Override
        public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
          f.trustManagerFactory(tmf);
          return this;
        }

        @Override
        public SslContextFactory enabledCipherSuites(Set<String> enabledCipherSuites) {
          f.enabledCipherSuites(enabledCipherSuites);
          return this;
        }

        @Override
        public SslContextFactory applicationProtocols(List<String> applicationProtocols) {
          f.applicationProtocols(applicationProtocols);
          return this;
        }

        @Override
        public SslContextFactory serverName(String serverName) {
          f.serverName(serverName);
          return this;
        }

        @Override
        public SslContext create() throws SSLException {
          SslContext context = f.create();
          return context.isClient() ? new Connections(context, Engine.this) : context;
        }
      };
    }

    /** The SNI names of a connection whose engine was made for a host. */
    List<SNIServerName> serverNames(String peerHost) {
      String host =
          switch (sni) {
            case NONE -> null;
            case CONFIGURED -> name;
            // an IP address is no name: Envoy's auto_sni leaves the configured one then
            case REQUEST_HOST -> peerHost == null || isIp(peerHost) ? name : peerHost;
          };
      if (host == null) {
        return List.of();
      }
      try {
        return List.of(new SNIHostName(host));
      } catch (IllegalArgumentException e) {
        return List.of(); // not a host name the handshake can carry
      }
    }
  }

  /** The client context of a cluster: it sets each new engine's SNI name and ALPN offer. */
  private static final class Connections extends DelegatingSslContext {
    private final Engine engine;

    Connections(SslContext context, Engine engine) {
      super(context);
      this.engine = engine;
    }

    @Override
    protected void initEngine(SSLEngine e) {
      SSLParameters p = e.getSSLParameters();
      p.setServerNames(engine.serverNames(e.getPeerHost()));
      if (engine.alpn != null) {
        p.setApplicationProtocols(engine.alpn.toArray(new String[0]));
      }
      e.setSSLParameters(p);
    }
  }

  /** Whether a host is an IPv4 or IPv6 literal (which is never an SNI name). */
  static boolean isIp(String host) {
    return host.indexOf(':') >= 0 || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
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

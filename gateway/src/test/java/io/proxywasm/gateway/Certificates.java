package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Certificates for the gateway's TLS tests, and the TLS servers that present them. */
final class Certificates {
  private Certificates() {}

  /**
   * A self-signed certificate for 127.0.0.1 made with keytool, written as PEM files ({@code
   * cert.pem}, {@code key.pem}) in a directory.
   *
   * @return a TLS context that trusts it
   */
  static SSLContext create(Path dir) throws Exception {
    return create(dir, "ip:127.0.0.1,dns:localhost");
  }

  /**
   * A self-signed certificate with the given subject alternative names, as {@link #create(Path)}
   * writes it ({@code gw.p12} too, password {@code changeit}).
   *
   * @param san keytool's SAN list, such as {@code ip:127.0.0.1,dns:localhost}
   * @return a TLS context that trusts it
   */
  static SSLContext create(Path dir, String san) throws Exception {
    Path p12 = dir.resolve("gw.p12");
    Process k =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "gw",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=" + san,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                p12.toString(),
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String out = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(k.waitFor(60, TimeUnit.SECONDS) && k.exitValue() == 0, out);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(p12.toFile())) {
      ks.load(in, "changeit".toCharArray());
    }
    Key key = ks.getKey("gw", "changeit".toCharArray());
    Certificate cert = ks.getCertificate("gw");
    Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    Files.writeString(
        dir.resolve("key.pem"),
        "-----BEGIN PRIVATE KEY-----\n"
            + b64.encodeToString(key.getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    Files.writeString(
        dir.resolve("cert.pem"),
        "-----BEGIN CERTIFICATE-----\n"
            + b64.encodeToString(cert.getEncoded())
            + "\n-----END CERTIFICATE-----\n");
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("gw", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    SSLContext trust = SSLContext.getInstance("TLS");
    trust.init(null, tmf.getTrustManagers(), null);
    return trust;
  }

  /**
   * Options of an HTTPS server that presents the certificate {@link #create(Path)} wrote in a
   * directory, with SNI and ALPN.
   */
  static HttpServerOptions server(Path certDir) {
    return new HttpServerOptions()
        .setSsl(true)
        .setSni(true)
        .setUseAlpn(true)
        .setKeyCertOptions(
            new PemKeyCertOptions()
                .setCertPath(certDir.resolve("cert.pem").toString())
                .setKeyPath(certDir.resolve("key.pem").toString()));
  }
}

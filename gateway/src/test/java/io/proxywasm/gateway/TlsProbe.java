package io.proxywasm.gateway;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server on the JDK's sockets that shows what a client's handshake offered and what it then
 * spoke: it selects the first ALPN protocol offered, reads the first request line whatever the
 * protocol selected, and answers in HTTP/1.1 with {@code alpn=<selected> offered=<list> sni=<name>
 * line=<first line>}, then closes.
 */
final class TlsProbe implements AutoCloseable {
  private final SSLServerSocket server;

  /**
   * Listens on 127.0.0.1 with the certificate {@link Certificates#create(Path, String)} wrote.
   *
   * @param certDir the directory holding {@code gw.p12}
   */
  TlsProbe(Path certDir) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(certDir.resolve("gw.p12").toFile())) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    server =
        (SSLServerSocket)
            ctx.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "tls-probe");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (true) {
      SSLSocket s;
      try {
        s = (SSLSocket) server.accept();
      } catch (IOException e) {
        return; // closed
      }
      Thread t = new Thread(() -> answer(s), "tls-probe-connection");
      t.setDaemon(true);
      t.start();
    }
  }

  private static void answer(SSLSocket s) {
    try (s) {
      s.setSoTimeout(20_000);
      List<String> offered = new ArrayList<>();
      s.setHandshakeApplicationProtocolSelector(
          (sock, protocols) -> {
            offered.addAll(protocols);
            return protocols.isEmpty() ? null : protocols.get(0);
          });
      s.startHandshake();
      String sni = "null";
      for (SNIServerName n : ((ExtendedSSLSession) s.getSession()).getRequestedServerNames()) {
        if (n instanceof SNIHostName h) {
          sni = h.getAsciiName();
        }
      }
      InputStream in = s.getInputStream();
      String line = readLine(in);
      // the rest of an HTTP/1.1 head, up to its empty line
      while (!line.startsWith("PRI ")) {
        String h = readLine(in);
        if (h.isEmpty()) {
          break;
        }
      }
      String alpn = s.getApplicationProtocol();
      byte[] body =
          ("alpn="
                  + (alpn == null || alpn.isEmpty() ? "none" : alpn)
                  + " offered="
                  + offered
                  + " sni="
                  + sni
                  + " line="
                  + line)
              .getBytes(StandardCharsets.UTF_8);
      OutputStream out = s.getOutputStream();
      out.write(
          ("HTTP/1.1 200 OK\r\ncontent-length: "
                  + body.length
                  + "\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
    } catch (IOException e) {
      // the client went away or the handshake failed: nothing to answer
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (SocketException e) {
      // already closed
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

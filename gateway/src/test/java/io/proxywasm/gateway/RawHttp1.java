package io.proxywasm.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 on plain sockets for the tests, where a request's trailer section can be written and
 * seen: a keep-alive upstream that answers each request with what it received (its body and its
 * trailers), and a reader of responses.
 */
final class RawHttp1 {
  private RawHttp1() {}

  /** A parsed request or response: its first line, headers, body and trailers. */
  record Message(String line, Map<String, String> headers, String body, String trailers) {}

  /**
   * An upstream on its own threads: each request is answered with {@code h1 <method> <uri>
   * framing=<chunked|length> body=<body> trailers=<name:value;...>}.
   */
  static final class Upstream implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> sockets = new ArrayList<>();

    Upstream() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::accept, "raw-http1-upstream");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          synchronized (sockets) {
            sockets.add(s);
          }
          Thread t = new Thread(() -> serve(s), "raw-http1-connection");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private static void serve(Socket s) {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        Message m;
        while ((m = read(in)) != null) {
          String framing = m.headers.containsKey("transfer-encoding") ? "chunked" : "length";
          String answer =
              "h1 "
                  + m.line.substring(0, m.line.lastIndexOf(' '))
                  + " framing="
                  + framing
                  + " body="
                  + m.body
                  + " trailers="
                  + m.trailers;
          byte[] b = answer.getBytes(StandardCharsets.UTF_8);
          out.write(
              ("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: "
                      + b.length
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.write(b);
          out.flush();
        }
      } catch (IOException e) {
        // the gateway closed or reset the connection
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      synchronized (sockets) {
        for (Socket s : sockets) {
          s.close();
        }
      }
    }
  }

  /** Reads one message (a request or a response to a request that has a body); null at the end. */
  static Message read(InputStream in) throws IOException {
    String line = line(in);
    if (line == null) {
      return null;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    String h;
    while ((h = line(in)) != null && !h.isEmpty()) {
      int c = h.indexOf(':');
      headers.put(h.substring(0, c).trim().toLowerCase(Locale.ROOT), h.substring(c + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    StringBuilder trailers = new StringBuilder();
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      while (true) {
        String size = line(in);
        if (size == null) {
          return null; // the connection ended inside the body
        }
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
          break;
        }
        body.write(in.readNBytes(n));
        line(in);
      }
      String t;
      while ((t = line(in)) != null && !t.isEmpty()) {
        int c = t.indexOf(':');
        trailers
            .append(t.substring(0, c).trim().toLowerCase(Locale.ROOT))
            .append(':')
            .append(t.substring(c + 1).trim())
            .append(';');
      }
    } else if (headers.containsKey("content-length")) {
      body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
    }
    return new Message(line, headers, body.toString(StandardCharsets.UTF_8), trailers.toString());
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int n = b.length();
        return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
      }
      b.append((char) c);
    }
    return b.length() == 0 ? null : b.toString();
  }

  /** A chunked request with a body in one chunk and a trailer section (empty if none given). */
  static String chunked(String path, String body, String... trailers) {
    StringBuilder b =
        new StringBuilder("POST ")
            .append(path)
            .append(" HTTP/1.1\r\nhost: gw\r\ntransfer-encoding: chunked\r\n\r\n");
    if (!body.isEmpty()) {
      b.append(Integer.toHexString(body.length())).append("\r\n").append(body).append("\r\n");
    }
    b.append("0\r\n");
    for (String t : trailers) {
      b.append(t).append("\r\n");
    }
    return b.append("\r\n").toString();
  }

  /** Sends requests on one connection, all at once (pipelined), and reads as many responses. */
  static List<Message> exchange(int port, String requests, int responses) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write(requests.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      List<Message> out = new ArrayList<>();
      for (int i = 0; i < responses; i++) {
        Message m = read(s.getInputStream());
        if (m == null) {
          break;
        }
        out.add(m);
      }
      return out;
    }
  }
}

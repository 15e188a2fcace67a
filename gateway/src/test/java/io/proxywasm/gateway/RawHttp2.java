package io.proxywasm.gateway;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/2 client on a socket for the tests, which can end a request with trailers (the JDK's
 * client and Vert.x's cannot): the connection preface, one request on stream 1 as a HEADERS frame,
 * a DATA frame and a trailers HEADERS frame that ends the stream, then the response's DATA frames.
 * Header blocks are HPACK literals without indexing, which need no table; the response's headers
 * are not decoded, only its body is read.
 */
final class RawHttp2 {
  private static final int DATA = 0;
  private static final int HEADERS = 1;
  private static final int RST_STREAM = 3;
  private static final int SETTINGS = 4;
  private static final int GOAWAY = 7;
  private static final int END_STREAM = 1;
  private static final int END_HEADERS = 4;

  private RawHttp2() {}

  /**
   * Sends {@code POST path} with a body and trailers (name, value pairs) on a new HTTP/2 connection
   * over the socket, and returns the response body.
   */
  static String post(Socket s, String scheme, String path, String body, String... trailers)
      throws IOException {
    s.setSoTimeout(20_000);
    OutputStream out = s.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(out, SETTINGS, 0, 0, new byte[0]);
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    literal(h, ":method", "POST");
    literal(h, ":scheme", scheme);
    literal(h, ":path", path);
    literal(h, ":authority", "gw");
    literal(h, "content-type", "text/plain");
    frame(out, HEADERS, END_HEADERS, 1, h.toByteArray());
    frame(out, DATA, 0, 1, body.getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    for (int i = 0; i < trailers.length; i += 2) {
      literal(t, trailers[i], trailers[i + 1]);
    }
    frame(out, HEADERS, END_HEADERS | END_STREAM, 1, t.toByteArray());
    out.flush();

    DataInputStream in = new DataInputStream(s.getInputStream());
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    while (true) {
      int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      byte[] payload = in.readNBytes(length);
      if (type == SETTINGS && (flags & 1) == 0) {
        frame(out, SETTINGS, 1, 0, new byte[0]); // the acknowledgement
        out.flush();
      } else if (type == GOAWAY || (type == RST_STREAM && stream == 1)) {
        throw new IOException("the server ended the stream (frame type " + type + ")");
      } else if (stream == 1 && type == DATA) {
        answer.write(payload);
        if ((flags & END_STREAM) != 0) {
          return answer.toString(StandardCharsets.UTF_8);
        }
      } else if (stream == 1 && type == HEADERS && (flags & END_STREAM) != 0) {
        return answer.toString(StandardCharsets.UTF_8);
      }
    }
  }

  private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload)
      throws IOException {
    int n = payload.length;
    out.write(new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n, (byte) type});
    out.write(flags);
    out.write(new byte[] {(byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8)});
    out.write(stream);
    out.write(payload);
  }

  /** A literal header field without indexing, with a new name; strings not Huffman coded. */
  private static void literal(ByteArrayOutputStream b, String name, String value) {
    b.write(0);
    string(b, name);
    string(b, value);
  }

  private static void string(ByteArrayOutputStream b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    int n = bytes.length;
    if (n < 127) {
      b.write(n);
    } else {
      b.write(127);
      n -= 127;
      while (n >= 128) {
        b.write((n & 127) | 128);
        n >>>= 7;
      }
      b.write(n);
    }
    b.writeBytes(bytes);
  }
}

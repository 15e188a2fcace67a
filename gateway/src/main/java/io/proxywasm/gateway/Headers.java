package io.proxywasm.gateway;

import io.proxywasm.host.HeaderMap;
import java.util.Set;

/** Header rules the request, the response and the local replies of an exchange share. */
final class Headers {
  /** Hop-by-hop headers, never forwarded (RFC 9110 section 7.6.1). */
  static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "transfer-encoding",
          "upgrade",
          "te",
          "trailer",
          "proxy-authenticate",
          "proxy-authorization",
          "http2-settings");

  /**
   * Names clients and servers commonly send capitalised, by length: their lower-case form is taken
   * from here instead of being built for every request.
   */
  private static final String[][] COMMON =
      byLength(
          "accept",
          "accept-encoding",
          "accept-language",
          "age",
          "authorization",
          "cache-control",
          "connection",
          "content-encoding",
          "content-length",
          "content-type",
          "cookie",
          "date",
          "etag",
          "expires",
          "host",
          "keep-alive",
          "last-modified",
          "location",
          "origin",
          "pragma",
          "referer",
          "server",
          "set-cookie",
          "transfer-encoding",
          "user-agent",
          "vary");

  /** The status codes as text, 100 to 599. */
  private static final String[] STATUS = new String[500];

  static {
    for (int i = 0; i < STATUS.length; i++) {
      STATUS[i] = Integer.toString(100 + i);
    }
  }

  private Headers() {}

  private static String[][] byLength(String... names) {
    int max = 0;
    for (String n : names) {
      max = Math.max(max, n.length());
    }
    String[][] out = new String[max + 1][];
    for (int len = 0; len <= max; len++) {
      int count = 0;
      for (String n : names) {
        count += n.length() == len ? 1 : 0;
      }
      out[len] = new String[count];
      int i = 0;
      for (String n : names) {
        if (n.length() == len) {
          out[len][i++] = n;
        }
      }
    }
    return out;
  }

  /**
   * A header name in lower case, as Envoy stores it ({@link HeaderMap#lowerCase}); the name itself
   * when it is already, a shared string for the common names clients capitalise.
   */
  static String lower(String name) {
    int n = name.length();
    int i = 0;
    while (i < n && (name.charAt(i) < 'A' || name.charAt(i) > 'Z')) {
      i++;
    }
    if (i == n) {
      return name;
    }
    if (n < COMMON.length) {
      for (String c : COMMON[n]) {
        if (c.equalsIgnoreCase(name)) {
          return c;
        }
      }
    }
    return HeaderMap.lowerCase(name);
  }

  /**
   * Whether a comma-separated header value (a Connection header) lists a token, in any case, space
   * around it ignored.
   */
  static boolean listsToken(String header, String name) {
    int start = 0;
    int len = header.length();
    while (start <= len) {
      int end = header.indexOf(',', start);
      if (end < 0) {
        end = len;
      }
      int a = start;
      int b = end;
      while (a < b && header.charAt(a) <= ' ') {
        a++;
      }
      while (b > a && header.charAt(b - 1) <= ' ') {
        b--;
      }
      if (b - a == name.length() && header.regionMatches(true, a, name, 0, b - a)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  /** The first value of a header, or the given default. */
  static String value(HeaderMap h, String name, String otherwise) {
    int i = h.indexOf(name);
    return i < 0 ? otherwise : h.value(i);
  }

  /** A status code as text. */
  static String status(int code) {
    return code >= 100 && code < 600 ? STATUS[code - 100] : Integer.toString(code);
  }
}

package io.proxywasm.gateway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An access log format, parsed once at startup: a format string as literal text and command
 * operators ({@code %START_TIME%}, {@code %REQ(:PATH)%}, ...), or a format dictionary whose values
 * are such strings, nested dictionaries or plain numbers and booleans.
 *
 * @param text the parts of a format string, or null for a dictionary
 * @param json the dictionary: keys to {@code List<Part>}, nested {@code Map} or a number or boolean
 *     as it was written; null for a format string
 */
public record AccessLogFormat(List<Part> text, Map<String, Object> json) {

  /** Envoy's default format, used when an access log has no {@code log_format}. */
  public static final String DEFAULT =
      "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\""
          + " %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION%"
          + " %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\""
          + " \"%REQ(USER-AGENT)%\" \"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\""
          + " \"%UPSTREAM_HOST%\"\n";

  /** The operators without an argument. */
  static final Set<String> PLAIN =
      Set.of(
          "PROTOCOL",
          "RESPONSE_CODE",
          "RESPONSE_FLAGS",
          "RESPONSE_CODE_DETAILS",
          "BYTES_RECEIVED",
          "BYTES_SENT",
          "DURATION",
          "UPSTREAM_HOST",
          "UPSTREAM_CLUSTER",
          "UPSTREAM_LOCAL_ADDRESS",
          "DOWNSTREAM_REMOTE_ADDRESS",
          "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT",
          "DOWNSTREAM_LOCAL_ADDRESS",
          "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT",
          "ROUTE_NAME",
          "REQUESTED_SERVER_NAME",
          "CONNECTION_ID");

  /** The operators that read a header: {@code REQ(name?alternative):max}. */
  static final Set<String> HEADERS =
      Set.of("REQ", "RESP", "TRAILER", "REQUEST_HEADER", "RESPONSE_HEADER", "RESPONSE_TRAILER");

  /** A piece of a format string. */
  public sealed interface Part permits Literal, Operator {}

  /**
   * Text written as it is.
   *
   * @param text the text
   */
  public record Literal(String text) implements Part {}

  /**
   * A command operator.
   *
   * @param name the operator, such as {@code START_TIME} or {@code REQ} ({@code REQUEST_HEADER},
   *     {@code RESPONSE_HEADER} and {@code RESPONSE_TRAILER} become {@code REQ}, {@code RESP} and
   *     {@code TRAILER})
   * @param header for a header operator its lower-case name, else null
   * @param alternative for a header operator the header read when the first is absent, or null
   * @param timeFormat for {@code START_TIME} its format, else null
   * @param maxLength the longest value written, or -1 for no limit
   */
  public record Operator(
      String name, String header, String alternative, StartTimeFormat timeFormat, int maxLength)
      implements Part {}

  /**
   * Parses a format string.
   *
   * @param format the format
   * @param path the place of the format in the YAML
   * @return the parts
   */
  static List<Part> parse(String format, String path) throws ConfigException {
    List<Part> parts = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    int i = 0;
    while (i < format.length()) {
      char c = format.charAt(i);
      if (c != '%') {
        lit.append(c);
        i++;
        continue;
      }
      if (i + 1 < format.length() && format.charAt(i + 1) == '%') {
        lit.append('%');
        i += 2;
        continue;
      }
      int end = operatorEnd(format, i + 1);
      if (end < 0) {
        throw new ConfigException(
            path + ": the % at offset " + i + " starts no command operator (write %% for a %)");
      }
      if (lit.length() > 0) {
        parts.add(new Literal(lit.toString()));
        lit.setLength(0);
      }
      parts.add(operator(format.substring(i + 1, end), path));
      i = end + 1;
    }
    if (lit.length() > 0) {
      parts.add(new Literal(lit.toString()));
    }
    return List.copyOf(parts);
  }

  /** The closing % of an operator starting at {@code from}: the first one outside parentheses. */
  private static int operatorEnd(String f, int from) {
    int depth = 0;
    for (int j = from; j < f.length(); j++) {
      char c = f.charAt(j);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == '%' && depth <= 0) {
        return j;
      }
    }
    return -1;
  }

  private static Operator operator(String op, String path) throws ConfigException {
    String name = op;
    String arg = null;
    int maxLength = -1;
    int open = op.indexOf('(');
    if (open >= 0) {
      int close = op.lastIndexOf(')');
      if (close < open) {
        throw new ConfigException(path + ": %" + op + "% has no closing parenthesis");
      }
      name = op.substring(0, open);
      arg = op.substring(open + 1, close);
      String rest = op.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.matches(":[0-9]{1,9}")) {
          throw new ConfigException(
              path + ": %" + op + "%: expected a maximum length such as :10 after the )");
        }
        maxLength = Integer.parseInt(rest.substring(1));
      }
    }
    if (PLAIN.contains(name) && arg == null) {
      return new Operator(name, null, null, null, -1);
    }
    if ("START_TIME".equals(name)) {
      return new Operator(
          name,
          null,
          null,
          arg == null || arg.isEmpty()
              ? StartTimeFormat.DEFAULT
              : StartTimeFormat.parse(arg, path + ": %" + op + "%"),
          -1);
    }
    if (HEADERS.contains(name) && arg != null) {
      String kind =
          switch (name) {
            case "REQUEST_HEADER" -> "REQ";
            case "RESPONSE_HEADER" -> "RESP";
            case "RESPONSE_TRAILER" -> "TRAILER";
            default -> name;
          };
      int q = arg.indexOf('?');
      String h = q < 0 ? arg : arg.substring(0, q);
      String alt = q < 0 ? null : arg.substring(q + 1);
      if (h.isEmpty() || (alt != null && (alt.isEmpty() || alt.indexOf('?') >= 0))) {
        throw new ConfigException(
            path + ": %" + op + "%: expected a header name, or two separated by ?");
      }
      return new Operator(
          kind,
          h.toLowerCase(java.util.Locale.ROOT),
          alt == null ? null : alt.toLowerCase(java.util.Locale.ROOT),
          null,
          maxLength);
    }
    if (PLAIN.contains(name) || "START_TIME".equals(name) || HEADERS.contains(name)) {
      throw new ConfigException(
          path
              + ": %"
              + op
              + "%: "
              + (HEADERS.contains(name)
                  ? "expected a header name in parentheses"
                  : "takes no argument"));
    }
    throw new ConfigException(
        path
            + ": unsupported command operator %"
            + op
            + "% (supported: START_TIME, REQ, RESP, TRAILER, "
            + String.join(", ", new java.util.TreeSet<>(PLAIN))
            + ")");
  }
}

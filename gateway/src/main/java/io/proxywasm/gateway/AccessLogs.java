package io.proxywasm.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.proxywasm.gateway.config.AccessLogFormat;
import io.proxywasm.gateway.config.AccessLogFormat.Literal;
import io.proxywasm.gateway.config.AccessLogFormat.Operator;
import io.proxywasm.gateway.config.AccessLogFormat.Part;
import io.proxywasm.gateway.config.ConfigException;
import io.proxywasm.gateway.config.GatewaySpec.AccessLogSpec;
import io.proxywasm.gateway.config.GatewaySpec.Endpoint;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The access logs of one listener: each formats a finished request or connection as Envoy's command
 * operators do (a missing value as {@code -} in a format string, as {@code null} in a format
 * dictionary where numbers stay numbers) and queues the line on its file's writer.
 */
final class AccessLogs {
  private static final JsonFactory JSON = new JsonFactory();

  private final AccessLogWriter writer;
  private final AccessLogWriter.File[] files;
  private final AccessLogFormat[] formats;

  private AccessLogs(AccessLogWriter writer, List<AccessLogSpec> specs) throws ConfigException {
    this.writer = writer;
    this.files = new AccessLogWriter.File[specs.size()];
    this.formats = new AccessLogFormat[specs.size()];
    for (int i = 0; i < files.length; i++) {
      files[i] = writer.open(specs.get(i).path(), specs.get(i).yamlPath());
      formats[i] = specs.get(i).format();
    }
  }

  /**
   * The access logs of a listener.
   *
   * @param writer the gateway's writer
   * @param specs the listener's access logs
   * @return the logs, or null when there are none (nothing is done per request then)
   */
  static AccessLogs of(AccessLogWriter writer, List<AccessLogSpec> specs) throws ConfigException {
    return specs.isEmpty() ? null : new AccessLogs(writer, specs);
  }

  /** Writes the lines of a finished request or connection. */
  void log(AccessLogRecord r) {
    for (int i = 0; i < files.length; i++) {
      AccessLogFormat f = formats[i];
      writer.write(files[i], f.text() != null ? text(f.text(), r) : json(f.json(), r));
    }
  }

  static String text(List<Part> parts, AccessLogRecord r) {
    StringBuilder b = new StringBuilder(256);
    for (Part p : parts) {
      if (p instanceof Literal l) {
        b.append(l.text());
      } else {
        Object v = value((Operator) p, r);
        b.append(v == null ? "-" : v.toString());
      }
    }
    return b.toString();
  }

  static String json(Map<String, Object> dict, AccessLogRecord r) {
    StringWriter w = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(w)) {
      object(g, dict, r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.append('\n').toString();
  }

  @SuppressWarnings("unchecked")
  private static void object(JsonGenerator g, Map<String, Object> dict, AccessLogRecord r)
      throws IOException {
    g.writeStartObject();
    for (Map.Entry<String, Object> e : dict.entrySet()) {
      g.writeFieldName(e.getKey());
      Object v = e.getValue();
      if (v instanceof Map<?, ?> m) {
        object(g, (Map<String, Object>) m, r);
      } else if (v instanceof List<?> l) {
        List<Part> parts = (List<Part>) l;
        if (parts.size() == 1 && parts.get(0) instanceof Operator op) {
          // a lone operator keeps its type
          Object x = value(op, r);
          if (x == null) {
            g.writeNull();
          } else if (x instanceof Long n) {
            g.writeNumber(n);
          } else if (x instanceof Integer n) {
            g.writeNumber(n);
          } else {
            g.writeString(x.toString());
          }
        } else {
          g.writeString(text(parts, r));
        }
      } else if (v instanceof Boolean bo) {
        g.writeBoolean(bo);
      } else if (v instanceof Number n) {
        g.writeNumber(n.toString());
      } else {
        g.writeNull();
      }
    }
    g.writeEndObject();
  }

  /** An operator's value: a String, a Long or Integer, or null when unknown. */
  static Object value(Operator op, AccessLogRecord r) {
    switch (op.name()) {
      case "START_TIME":
        return op.timeFormat().format(r.startMillis());
      case "REQ":
        return header(op, r, 0);
      case "RESP":
        return header(op, r, 1);
      case "TRAILER":
        return header(op, r, 2);
      case "PROTOCOL":
        return r.protocol();
      case "RESPONSE_CODE":
        return r.responseCode();
      case "RESPONSE_FLAGS":
        return r.responseFlags();
      case "RESPONSE_CODE_DETAILS":
        return r.details() == null || r.details().isEmpty() ? null : r.details();
      case "BYTES_RECEIVED":
        return r.bytesReceived();
      case "BYTES_SENT":
        return r.bytesSent();
      case "DURATION":
        return r.durationMillis();
      case "UPSTREAM_HOST":
        {
          UpstreamInfo up = r.upstream();
          if (up == null || !up.present()) {
            return null;
          }
          Endpoint ep = up.cluster.endpoint(up.endpointIndex);
          return hostPort(ep.host(), ep.port());
        }
      case "UPSTREAM_CLUSTER":
        return r.upstreamCluster();
      case "UPSTREAM_LOCAL_ADDRESS":
        return r.upstream() == null ? null : address(r.upstream().localAddress, true);
      case "DOWNSTREAM_REMOTE_ADDRESS":
        return address(r.downstreamRemote(), true);
      case "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT":
        return address(r.downstreamRemote(), false);
      case "DOWNSTREAM_LOCAL_ADDRESS":
        return address(r.downstreamLocal(), true);
      case "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT":
        return address(r.downstreamLocal(), false);
      case "ROUTE_NAME":
        return empty(r.routeName());
      case "REQUESTED_SERVER_NAME":
        return empty(r.requestedServerName());
      case "CONNECTION_ID":
        return r.connectionId();
      default:
        // the reader accepts no other operator
        throw new IllegalStateException("unknown operator " + op.name());
    }
  }

  private static Object header(Operator op, AccessLogRecord r, int which) {
    String v = get(r, which, op.header());
    if (v == null && op.alternative() != null) {
      v = get(r, which, op.alternative());
    }
    if (v != null && op.maxLength() >= 0 && v.length() > op.maxLength()) {
      v = v.substring(0, op.maxLength());
    }
    return v;
  }

  private static String get(AccessLogRecord r, int which, String name) {
    return switch (which) {
      case 0 -> r.requestHeader(name);
      case 1 -> r.responseHeader(name);
      default -> r.responseTrailer(name);
    };
  }

  private static String empty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String address(SocketAddress a, boolean withPort) {
    if (a == null || a.hostAddress() == null) {
      return null;
    }
    return withPort ? hostPort(a.hostAddress(), a.port()) : a.hostAddress();
  }

  private static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}

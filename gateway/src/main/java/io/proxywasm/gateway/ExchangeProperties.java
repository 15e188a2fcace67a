package io.proxywasm.gateway;

import static io.proxywasm.gateway.ConnectionProperties.i64;
import static io.proxywasm.gateway.ConnectionProperties.str;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.PropertyResolver;
import java.util.List;
import java.util.Optional;

/**
 * What an exchange's plugins read with {@code proxy_get_property}: the request's attributes, the
 * response's code and size, the route and cluster, and the connection's properties; each read when
 * asked for, as Envoy's stream info answers them.
 */
final class ExchangeProperties implements PropertyResolver {
  private final Exchange ex;

  ExchangeProperties(Exchange ex) {
    this.ex = ex;
  }

  @Override
  public Optional<byte[]> get(List<String> path) {
    if (path.size() == 2 && path.get(0).equals("filter_state")) {
      byte[] v = ex.filterState == null ? null : ex.filterState.get(path.get(1));
      return v == null ? Optional.empty() : Optional.of(v.clone());
    }
    String key = String.join(".", path);
    HeaderMap h = ex.request.headers;
    switch (key) {
      case "request.path":
        return str(Headers.value(h, ":path", ""));
      case "request.url_path":
        {
          String p = Headers.value(h, ":path", "");
          int q = p.indexOf('?');
          return str(q < 0 ? p : p.substring(0, q));
        }
      case "request.query":
        {
          String p = Headers.value(h, ":path", "");
          int q = p.indexOf('?');
          return str(q < 0 ? "" : p.substring(q + 1));
        }
      case "request.host":
        return str(Headers.value(h, ":authority", ""));
      case "request.scheme":
        return str(Headers.value(h, ":scheme", "http"));
      case "request.method":
        return str(Headers.value(h, ":method", ""));
      case "request.referer":
        return str(Headers.value(h, "referer", null));
      case "request.useragent":
        return str(Headers.value(h, "user-agent", null));
      case "request.id":
        return str(ex.request.requestId);
      case "request.protocol":
        return str(protocol(ex.req));
      case "request.time":
        return i64(ex.startMillis * 1_000_000L);
      case "request.duration":
        return i64(System.nanoTime() - ex.startNanos);
      case "request.size":
        return i64(ex.request.bytes);
      case "response.code":
        return ex.status == 0 ? Optional.empty() : i64(ex.status);
      case "response.code_details":
        return ex.details.isEmpty() ? Optional.empty() : str(ex.details);
      case "response.size":
        return i64(ex.response.bytes);
      case "xds.route_name":
      case "route_name":
        return ex.route() == null ? Optional.empty() : str(ex.route().name());
      case "xds.cluster_name":
      case "cluster_name":
        return ex.route() == null || ex.route().cluster() == null
            ? Optional.empty()
            : str(ex.route().cluster());
      default:
        return ConnectionProperties.get(
            key,
            ex.req.remoteAddress(),
            ex.req.localAddress(),
            () -> ex.loop.connectionId(ex.req.connection()),
            ex.upstream.info);
    }
  }

  /** The downstream protocol as Envoy names it, such as HTTP/1.1. */
  static String protocol(io.vertx.core.http.HttpServerRequest req) {
    return switch (req.version()) {
      case HTTP_1_0 -> "HTTP/1.0";
      case HTTP_1_1 -> "HTTP/1.1";
      case HTTP_2 -> "HTTP/2";
      default -> req.version().name();
    };
  }
}

package io.proxywasm.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proxywasm.gateway.config.ConfigException;
import io.proxywasm.gateway.config.GatewaySpec.AdminSpec;
import io.proxywasm.host.Plugin;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Locale;

/**
 * The admin listener: {@code /ready}, {@code /stats}, {@code /stats/prometheus}, {@code /plugins},
 * {@code /logging} and {@code POST /reload}, in the spirit of Envoy's admin interface.
 */
final class AdminServer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Gateway gateway;
  private HttpServer server;
  private Path accessLog;

  AdminServer(Gateway gateway) {
    this.gateway = gateway;
  }

  Future<HttpServer> start(AdminSpec spec) {
    if (!spec.accessLogPath().isEmpty() && !spec.accessLogPath().equals("/dev/null")) {
      accessLog = Path.of(spec.accessLogPath());
    }
    server = gateway.vertx.createHttpServer();
    server.requestHandler(this::handle);
    return server.listen(spec.port(), spec.host());
  }

  int port() {
    return server.actualPort();
  }

  void close() {
    if (server != null) {
      server.close();
    }
  }

  private void handle(HttpServerRequest req) {
    log(req);
    String path = req.path();
    switch (path) {
      case "/ready" -> text(req, 200, gateway.activeRequests() >= 0 ? "LIVE\n" : "");
      case "/stats" -> text(req, 200, stats());
      case "/stats/prometheus" -> text(req, 200, prometheus());
      case "/plugins" -> json(req, plugins());
      case "/logging" -> logging(req);
      case "/reload" -> reload(req);
      case "/" ->
          text(
              req,
              200,
              "admin commands:\n  /ready\n  /stats\n  /stats/prometheus\n  /plugins\n"
                  + "  /logging (POST ?level=LEVEL)\n  /reload (POST)\n");
      default -> text(req, 404, "invalid path: " + path + "\n");
    }
  }

  private void log(HttpServerRequest req) {
    if (accessLog == null) {
      return;
    }
    String line =
        "["
            + Instant.now()
            + "] \""
            + req.method()
            + " "
            + req.uri()
            + "\" "
            + req.remoteAddress()
            + "\n";
    gateway.vertx.executeBlocking(
        () -> {
          try {
            Files.writeString(
                accessLog,
                line,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
          } catch (IOException e) {
            // an admin access log that cannot be written does not stop the admin listener
          }
          return null;
        },
        false);
  }

  private static void text(HttpServerRequest req, int status, String body) {
    req.response()
        .setStatusCode(status)
        .putHeader("content-type", "text/plain; charset=UTF-8")
        .end(body);
  }

  private static void json(HttpServerRequest req, ObjectNode body) {
    try {
      req.response()
          .putHeader("content-type", "application/json")
          .end(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body) + "\n");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      text(req, 500, "cannot write JSON\n");
    }
  }

  String stats() {
    StringBuilder sb = new StringBuilder();
    for (Metric m : gateway.stats.all()) {
      if (m.type() == MetricType.HISTOGRAM) {
        sb.append(m.name())
            .append(": count=")
            .append(m.value())
            .append(" sum=")
            .append(gateway.stats.sum(m.name()));
      } else {
        sb.append(m.name()).append(": ").append(m.value());
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  String prometheus() {
    StringBuilder sb = new StringBuilder();
    for (Metric m : gateway.stats.all()) {
      String name = "envoy_" + m.name().replaceAll("[^a-zA-Z0-9_]", "_");
      switch (m.type()) {
        case COUNTER ->
            sb.append("# TYPE ")
                .append(name)
                .append(" counter\n")
                .append(name)
                .append(' ')
                .append(m.value())
                .append('\n');
        case GAUGE ->
            sb.append("# TYPE ")
                .append(name)
                .append(" gauge\n")
                .append(name)
                .append(' ')
                .append(m.value())
                .append('\n');
        case HISTOGRAM ->
            sb.append("# TYPE ")
                .append(name)
                .append(" summary\n")
                .append(name)
                .append("_count ")
                .append(m.value())
                .append('\n')
                .append(name)
                .append("_sum ")
                .append(gateway.stats.sum(m.name()))
                .append('\n');
      }
    }
    return sb.toString();
  }

  ObjectNode plugins() {
    ObjectNode out = JSON.createObjectNode();
    out.put("generation", gateway.generation());
    out.put("concurrency", gateway.concurrency());
    services(out.putArray("services"));
    ArrayNode list = out.putArray("plugins");
    for (ListenerRuntime lr : gateway.listenerRuntimes()) {
      LivePlugin live = lr.plugin.get();
      if (live == null) {
        continue;
      }
      for (int i = 0; i < live.plugins.size(); i++) {
        Plugin p = live.plugins.get(i);
        ObjectNode n = list.addObject();
        n.put("listener", lr.spec.name());
        n.put("filter", i);
        describe(n, p);
        n.put("fail_policy", p.config().failPolicy().name());
        n.put("log_level", p.logLevel().name().toLowerCase(Locale.ROOT));
        n.put("generation", live.generation);
        n.put("in_flight", live.inFlight());
        n.put("failed_streams", live.failures.get(i));
        n.put("last_failure", live.lastFailure.get(i));
      }
    }
    return out;
  }

  private void services(ArrayNode list) {
    for (io.proxywasm.host.ServicePlugin sp : gateway.services) {
      Plugin p = sp.plugin();
      describe(list.addObject(), p);
    }
  }

  /** What a plugin is and whether it is available, for {@code /plugins}. */
  private static void describe(ObjectNode n, Plugin p) {
    n.put("name", p.info().name());
    n.put("root_id", p.info().rootId());
    n.put("vm_id", p.info().vmId());
    n.put("runtime", p.info().runtime());
    n.put("vm_key", p.vmKey());
    n.put("available", p.isAvailable());
  }

  private void logging(HttpServerRequest req) {
    if (req.method() == HttpMethod.POST) {
      String level = req.getParam("level");
      if (level == null) {
        text(req, 400, "usage: POST /logging?level=trace|debug|info|warn|error|critical\n");
        return;
      }
      LogLevel l;
      try {
        l = LogLevel.valueOf(level.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        text(req, 400, "unknown level " + level + " (trace, debug, info, warn, error, critical)\n");
        return;
      }
      for (ListenerRuntime lr : gateway.listenerRuntimes()) {
        LivePlugin live = lr.plugin.get();
        if (live != null) {
          live.plugins.forEach(p -> p.setLogLevel(l));
        }
      }
    }
    StringBuilder sb = new StringBuilder("plugin log levels:\n");
    for (ListenerRuntime lr : gateway.listenerRuntimes()) {
      LivePlugin live = lr.plugin.get();
      if (live != null) {
        for (Plugin p : live.plugins) {
          sb.append("  ")
              .append(p.info().name())
              .append(": ")
              .append(p.logLevel().name().toLowerCase(Locale.ROOT))
              .append('\n');
        }
      }
    }
    text(req, 200, sb.toString());
  }

  private void reload(HttpServerRequest req) {
    if (req.method() != HttpMethod.POST) {
      text(req, 405, "use POST /reload\n");
      return;
    }
    gateway
        .vertx
        .executeBlocking(gateway::reload, false)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                text(req, 200, ar.result());
              } else {
                Throwable c = ar.cause();
                text(
                    req,
                    c instanceof ConfigException ? 400 : 500,
                    "reload failed, the running plugins stay: " + Gateway.words(c) + "\n");
              }
            });
  }
}

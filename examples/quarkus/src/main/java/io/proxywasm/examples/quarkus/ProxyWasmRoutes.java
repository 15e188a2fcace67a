package io.proxywasm.examples.quarkus;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.WorkerPool;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.StreamType;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Vert.x route handler ahead of every other that runs the plugin's header callbacks on each
 * request, as a proxy's HTTP filter: the plugin may answer locally, rewrite the request's headers,
 * pause the request until it resumes it, and rewrite the response's headers. Bodies are left to the
 * application.
 */
@ApplicationScoped
public class ProxyWasmRoutes {
  private final Plugin plugin;
  private final WorkerPool workers;

  /**
   * Creates the routes.
   *
   * @param plugin the plugin to run
   * @param workers the VM clones to run it on
   */
  public ProxyWasmRoutes(Plugin plugin, WorkerPool workers) {
    this.plugin = plugin;
    this.workers = workers;
  }

  void install(@Observes Router router) {
    router.route().order(-100).handler(this::filter);
    // What the application itself answers, for requests the plugin lets through.
    router
        .get("/*")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("x-seen-by-app", String.valueOf(ctx.request().getHeader("x-plugin")))
                    .end("from the application: " + ctx.normalizedPath() + "\n"));
  }

  private void filter(RoutingContext ctx) {
    Context context = ctx.vertx().getOrCreateContext();
    AtomicBoolean answered = new AtomicBoolean();
    HttpStream stream =
        workers
            .next()
            .handle(plugin)
            .newHttpStream(
                new HttpStreamListener() {
                  @Override
                  public void onLocalResponse(LocalResponse response) {
                    answered.set(true);
                    context.runOnContext(v -> reply(ctx.response(), response));
                  }

                  @Override
                  public void onResume(StreamType direction) {
                    if (direction == StreamType.REQUEST && !answered.get()) {
                      context.runOnContext(v -> ctx.next()); // a paused request goes on
                    }
                  }
                });
    ctx.addEndHandler(
        v -> {
          stream.onLog();
          stream.close(); // proxy_on_done, proxy_on_delete: the plugin's context is released
        });
    HttpServerRequest request = ctx.request();
    HeaderMap headers =
        HeaderMap.of(
            ":method", request.method().name(),
            ":path", request.uri(),
            ":authority", String.valueOf(request.authority()),
            ":scheme", request.scheme());
    request.headers().forEach(h -> headers.add(lower(h.getKey()), h.getValue()));
    // Headers only: the body is the application's, so the plugin is told the request ends here.
    FilterHeadersStatus decision = stream.onRequestHeaders(headers, true);
    if (answered.get() || decision != FilterHeadersStatus.CONTINUE) {
      return; // answered locally, or paused until the plugin resumes the request
    }
    copy(headers, request.headers());
    HttpServerResponse response = ctx.response();
    ctx.addHeadersEndHandler(
        v -> {
          HeaderMap responseHeaders =
              HeaderMap.of(":status", String.valueOf(response.getStatusCode()));
          response.headers().forEach(h -> responseHeaders.add(lower(h.getKey()), h.getValue()));
          stream.onResponseHeaders(responseHeaders, true);
          copy(responseHeaders, response.headers());
        });
    ctx.next();
  }

  /** Sends the plugin's local reply instead of calling the application. */
  private static void reply(HttpServerResponse response, LocalResponse local) {
    response.setStatusCode(local.status());
    for (Header h : local.headers()) {
      response.headers().add(h.name(), h.value());
    }
    response.end(Buffer.buffer(local.body()));
  }

  /** Replaces Vert.x's headers with the plugin's, less the pseudo-headers. */
  private static void copy(HeaderMap from, MultiMap to) {
    to.clear();
    for (Header h : from.entries()) {
      if (!h.name().startsWith(":")) {
        to.add(h.name(), h.value());
      }
    }
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}

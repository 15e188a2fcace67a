package io.proxywasm.examples.spring;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.WorkerPool;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.StreamType;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Runs the plugin's header callbacks on each request, as a proxy's HTTP filter: the plugin may
 * answer locally, rewrite the request's headers, pause the request until it resumes it, and rewrite
 * the response's headers. Bodies are left to the application.
 */
@Component
public class ProxyWasmWebFilter implements WebFilter {
  private final Plugin plugin;
  private final WorkerPool workers;

  /**
   * Creates the filter.
   *
   * @param plugin the plugin to run
   * @param workers the VM clones to run it on
   */
  public ProxyWasmWebFilter(Plugin plugin, WorkerPool workers) {
    this.plugin = plugin;
    this.workers = workers;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    AtomicReference<LocalResponse> local = new AtomicReference<>();
    Sinks.Empty<Void> resumed = Sinks.empty();
    HttpStream stream =
        workers
            .next()
            .handle(plugin)
            .newHttpStream(
                new HttpStreamListener() {
                  @Override
                  public void onLocalResponse(LocalResponse response) {
                    local.set(response);
                    resumed.tryEmitEmpty(); // a paused request ends with this reply
                  }

                  @Override
                  public void onResume(StreamType direction) {
                    if (direction == StreamType.REQUEST) {
                      resumed.tryEmitEmpty();
                    }
                  }
                });
    HeaderMap headers = requestHeaders(exchange.getRequest());
    // Headers only: the body is the application's, so the plugin is told the request ends here.
    FilterHeadersStatus decision = stream.onRequestHeaders(headers, true);
    Mono<Void> next =
        Mono.defer(
            () ->
                local.get() != null
                    ? reply(exchange.getResponse(), local.get())
                    : forward(exchange, chain, stream, headers));
    Mono<Void> handled =
        decision == FilterHeadersStatus.CONTINUE || local.get() != null
            ? next
            : resumed.asMono().then(next); // paused: wait for the plugin to resume or reply
    return handled.doFinally(
        signal -> {
          stream.onLog();
          stream.close(); // proxy_on_done, proxy_on_delete: the plugin's context is released
        });
  }

  /** The request's headers as a proxy gives them to a plugin: pseudo-headers first, lower case. */
  private static HeaderMap requestHeaders(ServerHttpRequest request) {
    HeaderMap headers =
        HeaderMap.of(
            ":method", request.getMethod().name(),
            ":path", request.getURI().getRawPath(),
            ":authority", String.valueOf(request.getHeaders().getHost()),
            ":scheme", request.getURI().getScheme());
    request
        .getHeaders()
        .forEach((name, values) -> values.forEach(v -> headers.add(lower(name), v)));
    return headers;
  }

  /** Sends the application the request with the plugin's headers, then shows it the response's. */
  private static Mono<Void> forward(
      ServerWebExchange exchange, WebFilterChain chain, HttpStream stream, HeaderMap headers) {
    ServerHttpRequest request =
        exchange
            .getRequest()
            .mutate()
            .headers(h -> copy(headers, h))
            .path(headers.get(":path").orElse("/"))
            .build();
    ServerHttpResponse response = exchange.getResponse();
    response.beforeCommit(
        () -> {
          HttpStatusCode status = response.getStatusCode();
          HeaderMap responseHeaders =
              HeaderMap.of(":status", String.valueOf(status != null ? status.value() : 200));
          response
              .getHeaders()
              .forEach((name, values) -> values.forEach(v -> responseHeaders.add(lower(name), v)));
          stream.onResponseHeaders(responseHeaders, true);
          copy(responseHeaders, response.getHeaders());
          return Mono.empty();
        });
    return chain.filter(exchange.mutate().request(request).build());
  }

  /** Writes the plugin's local reply instead of calling the application. */
  private static Mono<Void> reply(ServerHttpResponse response, LocalResponse local) {
    response.setStatusCode(HttpStatusCode.valueOf(local.status()));
    for (Header h : local.headers()) {
      response.getHeaders().add(h.name(), h.value());
    }
    return response.writeWith(Mono.just(response.bufferFactory().wrap(local.body())));
  }

  /** Replaces Spring's headers with the plugin's, less the pseudo-headers. */
  private static void copy(HeaderMap from, HttpHeaders to) {
    to.clear();
    for (Header h : from.entries()) {
      if (!h.name().startsWith(":")) {
        to.addAll(h.name(), List.of(h.value()));
      }
    }
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}

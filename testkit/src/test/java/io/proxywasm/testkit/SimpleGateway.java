package io.proxywasm.testkit;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.StreamType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A minimal synchronous gateway built on the embedder API, the reference adapter for {@link
 * EmbedderContract}: it holds a paused request until the plugin resumes it or replies, forwards
 * what the plugin let through, and answers the client with what the plugin left. {@code
 * ignoreLocalReplies} breaks it on purpose, to show that the contract catches a broken adapter.
 */
final class SimpleGateway implements EmbedderContract.Gateway {
  private final Worker worker;
  private final PluginHandle handle;
  private final boolean ignoreLocalReplies;

  SimpleGateway(ProxyWasmHost host, Plugin plugin, boolean ignoreLocalReplies) {
    this.worker = host.newWorker();
    this.handle = worker.handle(plugin);
    this.ignoreLocalReplies = ignoreLocalReplies;
  }

  @Override
  public EmbedderContract.ClientResponse send(
      EmbedderContract.ClientRequest request, EmbedderContract.Upstream upstream) throws Exception {
    CompletableFuture<LocalResponse> local = new CompletableFuture<>();
    CompletableFuture<Void> resumed = new CompletableFuture<>();
    HttpStream stream =
        handle.newHttpStream(
            new HttpStreamListener() {
              @Override
              public void onLocalResponse(LocalResponse response) {
                local.complete(response);
              }

              @Override
              public void onResume(StreamType direction) {
                if (direction == StreamType.REQUEST) {
                  resumed.complete(null);
                }
              }
            });
    try {
      HeaderMap headers = new HeaderMap();
      headers.add(":method", request.method());
      headers.add(":path", request.path());
      headers.add(":authority", "gateway.test");
      request.headers().forEach(e -> headers.add(e.getKey(), e.getValue()));
      byte[] body = request.body();
      boolean paused =
          stream.onRequestHeaders(headers, body.length == 0) != FilterHeadersStatus.CONTINUE;
      BodyBuffer requestBody = new BodyBuffer(body);
      if (body.length > 0 && !local.isDone()) {
        paused |= stream.onRequestBody(requestBody, true) != FilterDataStatus.CONTINUE;
      }
      if (paused && !local.isDone()) {
        CompletableFuture.anyOf(local, resumed).get(5, TimeUnit.SECONDS);
      }
      if (local.isDone() && !ignoreLocalReplies) {
        LocalResponse l = local.get();
        return new EmbedderContract.ClientResponse(l.status(), l.headers(), l.body());
      }
      EmbedderContract.UpstreamResponse answer =
          upstream.handle(
              new EmbedderContract.UpstreamRequest(headers.entries(), requestBody.bytes()));
      HeaderMap responseHeaders = new HeaderMap();
      responseHeaders.add(":status", Integer.toString(answer.status()));
      answer.headers().forEach(e -> responseHeaders.add(e.getKey(), e.getValue()));
      BodyBuffer responseBody = new BodyBuffer(answer.body());
      stream.onResponseHeaders(responseHeaders, answer.body().length == 0);
      if (answer.body().length > 0) {
        stream.onResponseBody(responseBody, true);
      }
      List<Header> out = new ArrayList<>();
      int status = 200;
      for (Header e : responseHeaders.entries()) {
        if (e.name().equals(":status")) {
          status = Integer.parseInt(e.value());
        } else {
          out.add(e);
        }
      }
      return new EmbedderContract.ClientResponse(status, out, responseBody.bytes());
    } finally {
      stream.onLog();
      stream.close();
    }
  }

  @Override
  public void close() {
    worker.close();
  }
}

package io.proxywasm.gateway;

import io.proxywasm.gateway.config.GatewaySpec.Endpoint;
import io.proxywasm.host.GrpcCallHandler;
import io.proxywasm.host.GrpcCallRequest;
import io.proxywasm.host.HttpCallHandler;
import io.proxywasm.host.HttpCallRequest;
import io.proxywasm.host.HttpCallResponse;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.WasmResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The calls plugins make to the gateway's clusters: HTTP callouts and gRPC calls and streams, each
 * over the named cluster's pooled client. The host hands them here ({@code httpCalls} and {@code
 * grpcCalls} of its builder) and times them out.
 */
final class Callouts {
  private final Function<String, ClusterRuntime> clusters;

  /**
   * Calls into the clusters found by name.
   *
   * @param clusters the running cluster of a name, or null
   */
  Callouts(Function<String, ClusterRuntime> clusters) {
    this.clusters = clusters;
  }

  /**
   * A plugin's HTTP callout ({@code proxy_http_call}) to a configured cluster, over the cluster's
   * client; the answer's headers, body and trailers go back to the plugin.
   */
  WasmResult httpCall(HttpCallRequest request, HttpCallHandler.Callback callback) {
    ClusterRuntime c = clusters.apply(request.upstream());
    if (c == null) {
      return WasmResult.BAD_ARGUMENT;
    }
    String method = request.header(":method");
    String path = request.header(":path");
    if (method == null || path == null) {
      return WasmResult.BAD_ARGUMENT;
    }
    int picked = c.pick();
    Endpoint ep = c.endpoint(picked);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (Header e : request.headers()) {
      if (!e.name().startsWith(":") && !Headers.HOP_BY_HOP.contains(Headers.lower(e.name()))) {
        headers.add(e.name(), e.value());
      }
    }
    String authority = request.header(":authority");
    if (authority != null) {
      headers.set("host", authority);
    }
    RequestOptions o;
    try {
      o =
          new RequestOptions()
              .setMethod(HttpMethod.valueOf(method))
              .setServer(c.address(picked))
              .setHost(c.requestHost(picked, authority))
              .setPort(ep.port())
              .setURI(path)
              .setHeaders(headers);
      if (!request.timeout().isZero()) {
        // the host answers the plugin at its timeout; the request is dropped then too
        o.setIdleTimeout(Math.max(1, request.timeout().toMillis()));
      }
    } catch (IllegalArgumentException e) {
      return WasmResult.BAD_ARGUMENT;
    }
    c.rqTotal.add(1);
    byte[] body = request.body();
    c.client
        .request(o)
        .compose(
            r -> {
              if (!c.speaksAsConfigured(r)) {
                return Future.failedFuture("protocol error: the server did not select h2");
              }
              if (r.version() == HttpVersion.HTTP_2) {
                Exchange.authority(r, authority == null ? "" : authority);
              }
              return r.send(Buffer.buffer(body));
            })
        .compose(r -> r.body().map(b -> new AbstractMap.SimpleEntry<>(r, b)))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                callback.onFailure(Gateway.words(ar.cause()));
                return;
              }
              var r = ar.result().getKey();
              List<Header> h = new ArrayList<>();
              h.add(Header.of(":status", Integer.toString(r.statusCode())));
              h.addAll(GrpcStream.entries(r.headers()));
              callback.onResponse(
                  new HttpCallResponse(
                      h, ar.result().getValue().getBytes(), GrpcStream.entries(r.trailers())));
            });
    return WasmResult.OK;
  }

  /**
   * A plugin's gRPC call ({@code proxy_grpc_call}) or stream ({@code proxy_grpc_stream}) to a
   * configured HTTP/2 cluster: a POST of {@code /service/method} over the cluster's client, each
   * message in gRPC framing; the response's metadata, messages and status go back to the plugin
   * ({@link GrpcStream}). A unary call sends its message and ends the request at once; the host
   * ends it at its timeout with DEADLINE_EXCEEDED. A stream sends what the plugin sends, ends the
   * request when the plugin closes its side and is reset when the plugin cancels.
   */
  GrpcCallHandler.Outbound grpcCall(GrpcCallRequest request, GrpcCallHandler.Callbacks callbacks)
      throws GrpcCallHandler.Rejected {
    GrpcService target = GrpcService.of(request.service());
    if (target.googleGrpc()) {
      throw new GrpcCallHandler.Rejected(
          WasmResult.BAD_ARGUMENT,
          "a GrpcService with google_grpc: the gateway has only Envoy's own client (envoy_grpc)");
    }
    String name = target.cluster();
    ClusterRuntime c = clusters.apply(name);
    if (c == null) {
      throw new GrpcCallHandler.Rejected(
          WasmResult.PARSE_FAILURE, "no cluster named " + name + " for a gRPC call");
    }
    if (!c.spec.mayUseHttp2()) {
      throw new GrpcCallHandler.Rejected(
          WasmResult.BAD_ARGUMENT,
          "cluster "
              + name
              + " is not HTTP/2 (http2_protocol_options, or auto_config over TLS), as gRPC needs");
    }
    int picked = c.pick();
    Endpoint ep = c.endpoint(picked);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    headers.set("content-type", "application/grpc");
    headers.set("te", "trailers");
    if (!request.timeout().isZero()) {
      headers.set("grpc-timeout", Math.max(1, request.timeout().toMillis()) + "m");
    }
    for (Header e : request.initialMetadata()) {
      if (!e.name().startsWith(":")) {
        headers.add(e.name(), e.value());
      }
    }
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setServer(c.address(picked))
            // the call's authority is the cluster's name (or the GrpcService's authority), as
            // Envoy's gRPC client sends it
            .setHost(c.requestHost(picked, target.authority()))
            .setPort(ep.port())
            .setURI("/" + request.serviceName() + "/" + request.method())
            .setHeaders(headers);
    if (!request.timeout().isZero()) {
      o.setIdleTimeout(Math.max(1, request.timeout().toMillis()));
    }
    c.rqTotal.add(1);
    GrpcStream stream = new GrpcStream(callbacks, target.maxReceive());
    if (!request.streaming()) {
      stream.send(request.message(), true);
    }
    c.client
        .request(o)
        .onComplete(
            ar -> {
              if (ar.succeeded() && !c.speaksAsConfigured(ar.result())) {
                stream.protocolError();
              } else if (ar.succeeded()) {
                stream.opened(ar.result(), target.authority());
              } else {
                c.cxConnectFail.add(1);
                stream.failedToConnect(ar.cause());
              }
            });
    return stream;
  }
}

package io.proxywasm.gateway;

import io.proxywasm.host.HeaderMap;
import io.vertx.core.net.SocketAddress;

/** A finished HTTP request as its access log lines read it. */
final class ExchangeLog implements AccessLogRecord {
  private final Exchange ex;
  private final long durationMillis;

  ExchangeLog(Exchange ex) {
    this.ex = ex;
    this.durationMillis = (System.nanoTime() - ex.startNanos) / 1_000_000;
  }

  @Override
  public long startMillis() {
    return ex.startMillis;
  }

  @Override
  public long durationMillis() {
    return durationMillis;
  }

  @Override
  public String requestHeader(String name) {
    HeaderMap h = ex.request.headers;
    if (h == null) {
      return null;
    }
    int i = h.indexOf(name);
    return i < 0 ? null : h.value(i);
  }

  @Override
  public String responseHeader(String name) {
    return ex.req.response().headers().get(name);
  }

  @Override
  public String responseTrailer(String name) {
    return ex.req.response().trailers().get(name);
  }

  @Override
  public String protocol() {
    return ExchangeProperties.protocol(ex.req);
  }

  @Override
  public int responseCode() {
    return ex.req.response().headWritten() ? ex.req.response().getStatusCode() : 0;
  }

  @Override
  public String details() {
    return ex.details;
  }

  @Override
  public String responseFlags() {
    return AccessLogRecord.flags(ex.details);
  }

  @Override
  public long bytesReceived() {
    return ex.request.bytes;
  }

  @Override
  public long bytesSent() {
    return ex.response.bytes;
  }

  @Override
  public UpstreamInfo upstream() {
    return ex.upstream.info;
  }

  @Override
  public String upstreamCluster() {
    return ex.cluster == null ? null : ex.cluster.spec.name();
  }

  @Override
  public SocketAddress downstreamRemote() {
    return ex.req.remoteAddress();
  }

  @Override
  public SocketAddress downstreamLocal() {
    return ex.req.localAddress();
  }

  @Override
  public String routeName() {
    return ex.route() == null ? null : ex.route().name();
  }

  @Override
  public String requestedServerName() {
    return ex.req.connection().indicatedServerName();
  }

  @Override
  public long connectionId() {
    return ex.loop.connectionId(ex.req.connection());
  }
}

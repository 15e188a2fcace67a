/**
 * An HTTP proxy on Vert.x that runs proxy-wasm plugins through this project's host: one event loop
 * is one Envoy worker with its own VM clones. Configured by flags ({@code serve --plugin ...}) or
 * by a subset of Envoy's static bootstrap YAML ({@code serve -c envoy.yaml}).
 */
module io.proxywasm.gateway {
  requires transitive io.proxywasm.host;
  requires io.proxywasm.envoy;
  requires io.proxywasm.remote;
  requires io.vertx.core;
  // the channels under Vert.x's HTTP connections, for request trailers (see ChannelTransport)
  requires io.netty.transport;
  requires io.netty.buffer;
  requires io.netty.common;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.codec.http2;
  // the TLS context under a cluster's clients, for its SNI name and ALPN offer (see UpstreamTls)
  requires io.netty.handler;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;
  requires info.picocli;
  requires org.slf4j;

  exports io.proxywasm.gateway;
  exports io.proxywasm.gateway.config;

  opens io.proxywasm.gateway to
      info.picocli;
  opens io.proxywasm.gateway.config to
      com.fasterxml.jackson.databind;
}

package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.gateway.config.EnvoyBootstrap;
import io.proxywasm.gateway.config.GatewaySpec;
import io.proxywasm.spi.Metric;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A listener of envoy.filters.network.wasm (the C plugin c-tcp-lines) and
 * envoy.filters.network.tcp_proxy in front of an in-process TCP echo server, over real sockets.
 */
class TcpProxyTest {
  private static final Path ROOT = Http.repo("");
  private Vertx vertx;
  private NetServer echo;
  private Gateway gateway;

  static String yaml(int echoPort) {
    return """
        static_resources:
          listeners:
            - name: tcp
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
                - filters:
                    - name: envoy.filters.network.wasm
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm
                        config:
                          name: lines
                          vm_config:
                            runtime: envoy.wasm.runtime.v8
                            code: { local: { filename: plugins/wasm/c-tcp-lines.wasm } }
                    - name: envoy.filters.network.tcp_proxy
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                        stat_prefix: echo_tcp
                        cluster: echo
          clusters:
            - name: echo
              connect_timeout: 1s
              load_assignment:
                cluster_name: echo
                endpoints:
                  - lb_endpoints:
                      - endpoint:
                          address:
                            socket_address: { address: 127.0.0.1, port_value: %d }
        """
        .formatted(echoPort);
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    echo =
        vertx
            .createNetServer()
            .connectHandler(s -> s.handler(s::write))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    // the committed example, pointed at the echo server and at free ports
    String example =
        Files.readString(Http.repo("examples/envoy-tcp-lines.yaml"))
            .replace("port_value: 10001", "port_value: 0")
            .replace("port_value: 9901", "port_value: 0")
            .replace("port_value: 7000", "port_value: " + echo.actualPort());
    GatewaySpec spec = EnvoyBootstrap.parse(example, ROOT);
    gateway = Gateway.builder(spec).concurrency(2).start();
  }

  @AfterEach
  void stop() throws Exception {
    gateway.shutdown(Duration.ofSeconds(1));
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private long counter(String suffix) {
    for (Metric m : gateway.stats.all()) {
      if (m.name().endsWith(suffix)) {
        return m.value();
      }
    }
    return -1;
  }

  private void awaitCounter(String suffix, long value) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (counter(suffix) != value && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(value, counter(suffix), suffix);
  }

  private static String readLine(InputStream in) throws Exception {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      sb.append((char) c);
      if (c == '\n') {
        break;
      }
    }
    return sb.toString();
  }

  @Test
  void linesPassThePluginAndTheProxyAndAByeClosesTheConnection() throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.port(0))) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertEquals("HELLO\n", readLine(in));
      // the plugin holds a part of a line (it stops) until the rest arrives, then upper-cases the
      // whole line: had the part gone on, it would come back in lower case
      out.write("par".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(50); // so that the two parts arrive apart
      out.write("tial line\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertEquals("PARTIAL LINE\n", readLine(in));
      // the plugin closes the connection
      out.write("bye\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertEquals(-1, in.read(), "closed by the plugin");
    }
    awaitCounter("tcp_lines.done", 1);
    assertEquals(1, counter("tcp_lines.connections"));
    assertEquals(2, counter("tcp_lines.lines"));
    assertEquals("HELLO\nPARTIAL LINE\n".length(), counter("tcp_lines.upstream_bytes"));
    assertEquals(1, counter("tcp_lines.downstream_closed"));
    assertEquals(1, counter("tcp_lines.upstream_closed"));
    assertEquals(1, counter("tcp.echo_tcp.downstream_cx_total"));
    assertEquals(
        "HELLO\nPARTIAL LINE\n".length(), counter("tcp.echo_tcp.downstream_cx_tx_bytes_total"));
    assertEquals(0, gateway.activeRequests());
    String plugins = Http.get(gateway.adminPort().orElseThrow(), "/plugins").body();
    assertTrue(plugins.contains("\"listener\" : \"tcp\""), plugins);
    assertTrue(plugins.contains("\"name\" : \"lines\""), plugins);
  }

  @Test
  void aClientThatClosesEndsBothSidesAndThePluginSeesEveryEvent() throws Exception {
    int clients = 4;
    for (int i = 0; i < clients; i++) {
      try (Socket s = new Socket("127.0.0.1", gateway.port(0))) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(("client " + i + "\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        assertEquals("CLIENT " + i + "\n", readLine(s.getInputStream()));
      }
    }
    awaitCounter("tcp_lines.done", clients);
    assertEquals(clients, counter("tcp_lines.connections"));
    assertEquals(clients, counter("tcp_lines.downstream_closed"));
    assertEquals(clients, counter("tcp_lines.upstream_closed"));
    assertTrue(counter("cluster.echo.upstream_cx_total") == clients);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (gateway.activeRequests() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(0, gateway.activeRequests());
    assertEquals(0, gateway.listeners.get(0).plugin.get().inFlight(), "every stream closed");
  }
}

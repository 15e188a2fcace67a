package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.Metric;
import io.vertx.core.net.NetServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A listener of envoy.filters.network.wasm (the C plugin c-tcp-lines) and
 * envoy.filters.network.tcp_proxy in front of an in-process TCP echo server, over real sockets.
 */
class TcpProxyTest {
  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  private Gateway gateway;

  static String yaml(int echoPort) {
    String lines =
        """
        name: lines
        vm_config:
          runtime: envoy.wasm.runtime.v8
          code: { local: { filename: plugins/wasm/c-tcp-lines.wasm } }
        """;
    return Specs.staticResources(
        Specs.tcpListener("tcp", Specs.networkWasmFilter(lines), "echo_tcp", "echo", ""),
        Specs.cluster("echo", echoPort));
  }

  @BeforeEach
  void start() throws Exception {
    NetServer echo = gw.tcp(s -> s.handler(s::write));
    // the committed example, pointed at the echo server and at free ports
    String example =
        Specs.example(
            "envoy-tcp-lines.yaml",
            "port_value: 10001",
            "port_value: 0",
            "port_value: 9901",
            "port_value: 0",
            "port_value: 7000",
            "port_value: " + echo.actualPort());
    gateway = gw.start(Gateway.builder(Specs.parse(example)).concurrency(2));
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

  /** What a stream gives up to and with the next newline (or its end). */
  static String readLine(InputStream in) throws Exception {
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
    assertTrue(plugins.contains("\"runtime\" : \"asm\""), "the default wasm runtime: " + plugins);
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

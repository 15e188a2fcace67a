package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HostCallException;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.sdk.StreamContext;
import io.proxywasm.spi.Metric;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Envoy's foreign functions in the gateway, over real sockets: {@code compress} / {@code
 * uncompress}, {@code set_envoy_filter_state} ({@code envoy.tcp_proxy.cluster} routing a TCP
 * connection; the object read back as {@code filter_state.<key>}), {@code clear_route_cache}.
 */
class EnvoyForeignTest {
  /** SetEnvoyFilterStateArguments: path = 1, value = 2 (span left at its default). */
  static byte[] filterStateArgs(String path, String value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    out.write(0x0a);
    out.write(p.length);
    out.writeBytes(p);
    out.write(0x12);
    out.write(v.length);
    out.writeBytes(v);
    return out.toByteArray();
  }

  /** What a foreign function call answers, as text: the result's hex, or the status's name. */
  static String call(io.proxywasm.sdk.Context c, String name, byte[] args) {
    try {
      return HexFormat.of().formatHex(c.callForeignFunction(name, args));
    } catch (HostCallException e) {
      return e.result().name();
    }
  }

  /** An HTTP plugin whose request path says which foreign function to try. */
  static final class HttpCaller implements JavaPlugin {
    @Override
    public String name() {
      return "http-caller";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            @Override
            public Action onRequestHeaders(int headers, boolean endOfStream) {
              String path = requestHeaders().get(":path").orElse("/");
              if (path.startsWith("/zlib/")) {
                byte[] text = path.substring(6).getBytes(StandardCharsets.UTF_8);
                String compressed = call(this, "compress", text);
                String back = call(this, "uncompress", HexFormat.of().parseHex(compressed));
                String broken = call(this, "uncompress", "not zlib".getBytes());
                String cut =
                    call(
                        this,
                        "uncompress",
                        HexFormat.of().parseHex(compressed.substring(0, compressed.length() - 6)));
                sendLocalResponse(
                    200, List.of(), compressed + " " + back + " " + broken + " " + cut);
                return Action.PAUSE;
              }
              if (path.startsWith("/state")) {
                String set =
                    call(
                        this,
                        "set_envoy_filter_state",
                        filterStateArgs("envoy.tcp_proxy.cluster", "b"));
                String read =
                    propertyString("filter_state", "envoy.tcp_proxy.cluster").orElse("none");
                String unknown =
                    call(this, "set_envoy_filter_state", filterStateArgs("no.such.key", "x"));
                String garbage =
                    call(this, "set_envoy_filter_state", new byte[] {(byte) 0x0a, 0x7f});
                String missing = call(this, "no_such_function", new byte[0]);
                sendLocalResponse(
                    200,
                    List.of(),
                    set + "|" + read + "|" + unknown + "|" + garbage + "|" + missing);
                return Action.PAUSE;
              }
              if (path.startsWith("/move")) {
                // a rewrite to the other route's prefix
                requestHeaders().set(":path", "/b" + path);
                if (requestHeaders().get("x-clear").isPresent()) {
                  call(this, "clear_route_cache", new byte[0]);
                }
              }
              return Action.CONTINUE;
            }
          };
        }
      };
    }
  }

  /** A network plugin that routes its connection to a cluster by filter state. */
  static final class TcpRouter implements JavaPlugin {
    private final String name;
    private final String cluster;

    TcpRouter(String name, String cluster) {
      this.name = name;
      this.cluster = cluster;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public StreamContext newStreamContext(int contextId) {
          return new StreamContext() {
            @Override
            public Action onNewConnection() {
              callForeignFunction(
                  "set_envoy_filter_state", filterStateArgs("envoy.tcp_proxy.cluster", cluster));
              return Action.CONTINUE;
            }
          };
        }
      };
    }
  }

  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  private Gateway gateway;

  private HttpServer http(String who) throws Exception {
    return gw.http(r -> r.response().end(who + " " + r.path()));
  }

  private NetServer tcp(String who) throws Exception {
    return gw.tcp(s -> s.handler(b -> s.write(who + ":" + b.toString())));
  }

  private static String tcpListener(String name, String plugin) {
    return Specs.tcpListener(
        name, Specs.networkWasmFilter(Specs.javaVm(plugin)), name, "tcp_a", "");
  }

  @BeforeEach
  void start() throws Exception {
    HttpServer httpA = http("a");
    HttpServer httpB = http("b");
    NetServer tcpA = tcp("A");
    NetServer tcpB = tcp("B");
    String yaml =
        Specs.staticResources(
            Specs.httpListener(
                    "main",
                    "ingress_http",
                    "",
                    "",
                    Specs.route("/b/", "http_b") + Specs.route("/", "http_a"),
                    Specs.javaFilter("http-caller"))
                + tcpListener("to_b", "to-b")
                + tcpListener("to_nowhere", "to-nowhere"),
            Specs.cluster("http_a", httpA.actualPort())
                + Specs.cluster("http_b", httpB.actualPort())
                + Specs.cluster("tcp_a", tcpA.actualPort())
                + Specs.cluster("tcp_b", tcpB.actualPort()));
    gateway =
        gw.start(
            Gateway.builder(Specs.parse(yaml))
                .offer("http-caller", new HttpCaller())
                .offer("to-b", new TcpRouter("to-b", "tcp_b"))
                .offer("to-nowhere", new TcpRouter("to-nowhere", "nowhere"))
                .concurrency(1));
  }

  @Test
  void compressWritesWhatZlibWritesAndUncompressGivesItBack() throws Exception {
    String text = "hello-hello-hello-hello-hello-zlib";
    String[] parts = Http.get(gateway.port(0), "/zlib/" + text).body().split(" ");
    Deflater d = new Deflater();
    d.setInput(text.getBytes(StandardCharsets.UTF_8));
    d.finish();
    byte[] buf = new byte[256];
    int n = d.deflate(buf);
    d.end();
    byte[] expected = java.util.Arrays.copyOf(buf, n);
    assertArrayEquals(expected, HexFormat.of().parseHex(parts[0]));
    assertEquals(0x78, expected[0] & 0xff, "the zlib format");
    assertEquals(
        text, new String(HexFormat.of().parseHex(parts[1]), StandardCharsets.UTF_8), "round trip");
    assertEquals("SERIALIZATION_FAILURE", parts[2], "bytes that are not zlib");
    assertEquals("SERIALIZATION_FAILURE", parts[3], "a stream cut off");
  }

  @Test
  void filterStateIsKeptForKnownKeysAndReadBack() throws Exception {
    String body = Http.get(gateway.port(0), "/state").body();
    assertEquals("|b|NOT_FOUND|BAD_ARGUMENT|NOT_FOUND", body);
  }

  @Test
  void aRewrittenPathRoutesAgainOnlyAfterClearRouteCache() throws Exception {
    int port = gateway.port(0);
    assertEquals("a /x", Http.get(port, "/x").body());
    // the route stays the one picked from the client's headers...
    assertEquals("a /b/move/1", Http.get(port, "/move/1").body());
    // ...until the plugin clears the route cache
    HttpResponse<String> moved = Http.get(port, "/move/2", "x-clear", "1");
    assertEquals("b /b/move/2", moved.body());
  }

  private static String exchange(int port, String line) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(line.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return TcpProxyTest.readLine(in);
    }
  }

  private long counter(String name) {
    for (Metric m : gateway.stats.all()) {
      if (m.name().equals(name)) {
        return m.value();
      }
    }
    return -1;
  }

  @Test
  void theTcpProxyConnectsToTheClusterThePluginNamed() throws Exception {
    assertEquals("B:hi\n", exchange(gateway.port(1), "hi\n"));
  }

  @Test
  void anUnknownClusterClosesTheConnectionAsEnvoysTcpProxyDoes() throws Exception {
    // nothing written first: the gateway closes a connection it never read from
    try (Socket s = new Socket("127.0.0.1", gateway.port(2))) {
      s.setSoTimeout(10_000);
      int got;
      try {
        got = s.getInputStream().read();
      } catch (java.net.SocketException reset) {
        got = -1;
      }
      assertEquals(-1, got, "closed without an answer");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (counter("tcp.to_nowhere.downstream_cx_no_route") != 1 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(1, counter("tcp.to_nowhere.downstream_cx_no_route"));
  }
}

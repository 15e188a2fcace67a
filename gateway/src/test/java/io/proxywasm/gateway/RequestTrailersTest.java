package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.gateway.RawHttp1.Message;
import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.Headers;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request trailers with real sockets: read from an HTTP/1.1 chunked request's trailer section or an
 * HTTP/2 trailers HEADERS frame (h2c and TLS), through a plugin's {@code
 * proxy_on_request_trailers}, and written to the upstream as a trailer section (HTTP/1.1) or a
 * trailers frame (HTTP/2).
 */
class RequestTrailersTest {
  /**
   * A Java plugin that reports what it saw in the trailers it passes on: the client's trailer, the
   * end_of_stream of each body callback; it answers in their place for {@code x-deny}, and pauses
   * for {@code x-pause} until its next tick.
   */
  static final class TrailersPlugin implements JavaPlugin {
    @Override
    public String name() {
      return "trailers";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        private final List<HttpContext> paused = new ArrayList<>();

        @Override
        public boolean onConfigure(int size) {
          setTickPeriod(Duration.ofMillis(20));
          return true;
        }

        @Override
        public void onTick() {
          List<HttpContext> now = new ArrayList<>(paused);
          paused.clear();
          now.forEach(HttpContext::resumeRequest);
        }

        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            private final StringBuilder bodyEos = new StringBuilder();

            @Override
            public Action onRequestBody(int bodySize, boolean endOfStream) {
              bodyEos.append(endOfStream ? 'T' : 'F');
              return Action.CONTINUE;
            }

            @Override
            public Action onRequestTrailers(int trailers) {
              Headers t = requestTrailers();
              String client = t.get("x-client-trailer").orElse("(none)");
              t.add("x-plugin-saw", client + "/" + bodyEos);
              if (t.get("x-deny").isPresent()) {
                sendLocalResponse(403, List.of(), "denied in trailers");
                return Action.PAUSE;
              }
              if (t.get("x-pause").isPresent()) {
                t.remove("x-pause");
                t.add("x-paused", "yes");
                paused.add(this);
                return Action.PAUSE;
              }
              return Action.CONTINUE;
            }
          };
        }
      };
    }
  }

  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  @TempDir Path dir;
  private Gateway gateway;
  private SSLContext trust;
  private String yaml;

  @BeforeEach
  void start() throws Exception {
    trust = Certificates.create(dir);
    RawHttp1.Upstream h1 = gw.closeLater(new RawHttp1.Upstream());
    Http2Upstream h2 = gw.closeLater(new Http2Upstream());
    yaml = Http2Test.yaml(dir, "", Specs.javaFilter("trailers"), h1.port(), h2.port());
    gateway =
        gw.start(
            Gateway.builder(Specs.parse(yaml))
                .offer("trailers", new TrailersPlugin())
                .concurrency(1));
  }

  @Test
  void http1TrailersReachThePluginAndTheHttp1Upstream() throws Exception {
    List<Message> r =
        RawHttp1.exchange(
            gateway.port(0),
            RawHttp1.chunked("/a", "hello", "x-client-trailer: one", "x-other: 2")
                .replace("host: gw", "host: gw\r\nconnection: close"),
            1);
    assertEquals(1, r.size());
    assertEquals("HTTP/1.1 200 OK", r.get(0).line());
    // the plugin saw the trailers after a body callback that did not end the stream, as Envoy
    assertEquals(
        "h1 POST /a framing=chunked body=hello"
            + " trailers=x-client-trailer:one;x-other:2;x-plugin-saw:one/F;",
        r.get(0).body());
  }

  @Test
  void aRequestWithoutTrailersIsUnchanged() throws Exception {
    String noTrailers =
        RawHttp1.chunked("/b", "plain")
            + "POST /c HTTP/1.1\r\nhost: gw\r\ncontent-length: 3\r\nconnection: close\r\n\r\nabc";
    List<Message> r = RawHttp1.exchange(gateway.port(0), noTrailers, 2);
    assertEquals(2, r.size());
    assertEquals("h1 POST /b framing=chunked body=plain trailers=", r.get(0).body());
    assertEquals("h1 POST /c framing=length body=abc trailers=", r.get(1).body());
  }

  @Test
  void pipelinedRequestsKeepTheirOwnTrailers() throws Exception {
    String requests =
        RawHttp1.chunked("/1", "first", "x-client-trailer: one")
            + "POST /2 HTTP/1.1\r\nhost: gw\r\ncontent-length: 6\r\n\r\nsecond"
            + RawHttp1.chunked("/3", "third")
            + "GET /4 HTTP/1.1\r\nhost: gw\r\n\r\n"
            + RawHttp1.chunked("/5", "", "x-client-trailer: five")
            + RawHttp1.chunked("/6", "sixth", "x-client-trailer: six")
                .replace("host: gw", "host: gw\r\nconnection: close");
    List<Message> r = RawHttp1.exchange(gateway.port(0), requests, 6);
    assertEquals(6, r.size(), r.toString());
    assertEquals(
        "h1 POST /1 framing=chunked body=first"
            + " trailers=x-client-trailer:one;x-plugin-saw:one/F;",
        r.get(0).body());
    assertEquals("h1 POST /2 framing=length body=second trailers=", r.get(1).body());
    assertEquals("h1 POST /3 framing=chunked body=third trailers=", r.get(2).body());
    assertEquals("h1 GET /4 framing=length body= trailers=", r.get(3).body());
    // no body at all: no body callback, the trailers end the request
    assertEquals(
        "h1 POST /5 framing=chunked body= trailers=x-client-trailer:five;x-plugin-saw:five/;",
        r.get(4).body());
    assertEquals(
        "h1 POST /6 framing=chunked body=sixth"
            + " trailers=x-client-trailer:six;x-plugin-saw:six/F;",
        r.get(5).body());
  }

  @Test
  void aPausedTrailersPhaseResumesAndALocalReplyAnswersInIt() throws Exception {
    List<Message> paused =
        RawHttp1.exchange(
            gateway.port(0),
            RawHttp1.chunked("/p", "wait", "x-pause: 1")
                .replace("host: gw", "host: gw\r\nconnection: close"),
            1);
    assertEquals(
        "h1 POST /p framing=chunked body=wait trailers=x-plugin-saw:(none)/F;x-paused:yes;",
        paused.get(0).body());
    List<Message> denied =
        RawHttp1.exchange(
            gateway.port(0),
            RawHttp1.chunked("/d", "no", "x-deny: 1")
                .replace("host: gw", "host: gw\r\nconnection: close"),
            1);
    assertEquals("HTTP/1.1 403 Forbidden", denied.get(0).line());
    assertEquals("denied in trailers", denied.get(0).body());
  }

  @Test
  void http1TrailersGoToAnHttp2UpstreamAsATrailersFrame() throws Exception {
    List<Message> r =
        RawHttp1.exchange(
            gateway.port(0),
            RawHttp1.chunked("/h2up/x", "to h2", "x-client-trailer: up")
                + RawHttp1.chunked("/h2up/y", "again", "x-client-trailer: up2")
                + RawHttp1.chunked("/h2up/z", "", "x-client-trailer: nobody")
                    .replace("host: gw", "host: gw\r\nconnection: close"),
            3);
    assertEquals(
        "h2 /h2up/x body=to h2 trailers=x-client-trailer:up;x-plugin-saw:up/F;", r.get(0).body());
    assertEquals(
        "h2 /h2up/y body=again trailers=x-client-trailer:up2;x-plugin-saw:up2/F;", r.get(1).body());
  }

  @Test
  void http2TrailersInClearTextReachThePluginAndBothUpstreams() throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port(0))) {
      assertEquals(
          "h1 POST /a framing=chunked body=over h2c"
              + " trailers=x-client-trailer:h2c;x-plugin-saw:h2c/F;",
          RawHttp2.post(s, "http", "/a", "over h2c", "x-client-trailer", "h2c"));
    }
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port(0))) {
      assertEquals(
          "h2 /h2up/b body=h2 to h2 trailers=x-client-trailer:both;x-plugin-saw:both/F;",
          RawHttp2.post(s, "http", "/h2up/b", "h2 to h2", "x-client-trailer", "both"));
    }
  }

  @Test
  void onJavaNioTooTheTrailersAreReadAndWritten() throws Exception {
    Gateway nio =
        Gateway.builder(Specs.parse(yaml))
            .offer("trailers", new TrailersPlugin())
            .nativeTransport(false)
            .concurrency(1)
            .start();
    try {
      assertEquals("nio", nio.transport());
      List<Message> r =
          RawHttp1.exchange(
              nio.port(0),
              RawHttp1.chunked("/n", "nio", "x-client-trailer: n1")
                  + RawHttp1.chunked("/h2up/n", "nio2", "x-client-trailer: n2")
                      .replace("host: gw", "host: gw\r\nconnection: close"),
              2);
      assertEquals(
          "h1 POST /n framing=chunked body=nio trailers=x-client-trailer:n1;x-plugin-saw:n1/F;",
          r.get(0).body());
      assertEquals(
          "h2 /h2up/n body=nio2 trailers=x-client-trailer:n2;x-plugin-saw:n2/F;", r.get(1).body());
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), nio.port(0))) {
        assertEquals(
            "h1 POST /m framing=chunked body=h2c trailers=x-client-trailer:n3;x-plugin-saw:n3/F;",
            RawHttp2.post(s, "http", "/m", "h2c", "x-client-trailer", "n3"));
      }
    } finally {
      nio.shutdown(Duration.ofSeconds(1));
    }
  }

  @Test
  void http2TrailersOverTlsReachThePluginAndTheUpstream() throws Exception {
    try (SSLSocket s =
        (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", gateway.port(1))) {
      SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      s.setSSLParameters(p);
      s.startHandshake();
      assertEquals("h2", s.getApplicationProtocol());
      String body = RawHttp2.post(s, "https", "/h2up/tls", "secret", "x-client-trailer", "tls");
      assertTrue(
          body.equals("h2 /h2up/tls body=secret trailers=x-client-trailer:tls;x-plugin-saw:tls/F;"),
          body);
    }
  }
}

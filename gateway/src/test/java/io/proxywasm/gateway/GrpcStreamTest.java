package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.HostCallException;
import io.proxywasm.sdk.HttpContext;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.Header;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * proxy_grpc_stream to a configured HTTP/2 cluster against an in-process gRPC server: messages both
 * ways, metadata, status, the plugin's close and cancel, and messages however DATA frames cut them.
 */
class GrpcStreamTest {
  /** Close callbacks of streams the plugin cancelled: there must be none. */
  static final AtomicInteger closesAfterCancel = new AtomicInteger();

  /**
   * Opens a stream to test.Echo/<first path segment> and plays the scenario of that method; answers
   * what it saw: initial metadata, messages, trailing metadata and close.
   */
  static final class GrpcStreamer implements JavaPlugin {
    @Override
    public String name() {
      return "grpc-streamer";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public HttpContext newHttpContext(int contextId) {
          return new HttpContext() {
            private final List<String> seen = new ArrayList<>();
            private String method;
            private int token;
            private int received;

            @Override
            public Action onRequestHeaders(int headers, boolean endOfStream) {
              String path = requestHeaders().get(":path").orElse("/");
              method = path.substring(1, path.indexOf('/', 1));
              String cluster =
                  switch (method) {
                    case "Plain" -> "up";
                    case "Nowhere" -> "nowhere";
                    case "Down" -> "down";
                    default -> "grpc";
                  };
              try {
                token =
                    openGrpcStream(
                        cluster, "test.Echo", method, List.of(Header.of("x-client", "plugin")));
              } catch (HostCallException e) {
                sendLocalResponse(200, List.of(), "refused " + e.result());
                return Action.PAUSE;
              }
              switch (method) {
                case "Chat", "Hang", "Fail" -> send("m1", false);
                case "Close" -> {
                  send("a", false);
                  send("b", false);
                  closeGrpc(token);
                }
                case "Split" -> send("go", true);
                default -> closeGrpc(token);
              }
              return Action.PAUSE;
            }

            private void send(String message, boolean end) {
              sendGrpcMessage(token, message.getBytes(StandardCharsets.UTF_8), end);
            }

            @Override
            public void onGrpcReceiveInitialMetadata(int t, int elements) {
              seen.add("init " + value(grpcInitialMetadata(), "x-server"));
            }

            @Override
            public void onGrpcReceive(int t, int size) {
              seen.add("msg " + new String(grpcMessage(), StandardCharsets.UTF_8));
              received++;
              if (method.equals("Chat") && received < 3) {
                // the next message only once the previous one's echo came back
                send("m" + (received + 1), received + 1 == 3);
              } else if (method.equals("Hang")) {
                cancelGrpc(t);
                seen.add("cancelled");
                answer();
              }
            }

            @Override
            public void onGrpcReceiveTrailingMetadata(int t, int elements) {
              seen.add("trail " + value(grpcTrailingMetadata(), "grpc-status"));
            }

            @Override
            public void onGrpcClose(int t, int statusCode) {
              if (method.equals("Hang")) {
                closesAfterCancel.incrementAndGet();
                return;
              }
              seen.add("close " + statusCode + " " + grpcStatus().getValue());
              answer();
            }

            private void answer() {
              sendLocalResponse(200, List.of(), String.join(" | ", seen));
            }
          };
        }
      };
    }

    private static String value(List<Header> headers, String name) {
      return headers.stream()
          .filter(h -> h.name().equals(name))
          .map(Header::value)
          .findFirst()
          .orElse("-");
    }
  }

  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  private HttpServer grpc;
  private Gateway gateway;

  /** The request headers the server saw, by method. */
  private final Map<String, MultiMap> requestHeaders = new ConcurrentHashMap<>();

  /** Completes when the server sees the cancelled stream reset. */
  private final CompletableFuture<Throwable> reset = new CompletableFuture<>();

  /** Calls {@code each} with every whole message of the request body, however it arrives. */
  private static void messages(HttpServerRequest req, Consumer<String> each) {
    Buffer[] pending = {Buffer.buffer()};
    req.handler(
        b -> {
          Buffer p = pending[0].appendBuffer(b);
          int pos = 0;
          while (p.length() - pos >= 5 && p.length() - pos - 5 >= p.getInt(pos + 1)) {
            int len = p.getInt(pos + 1);
            each.accept(p.getString(pos + 5, pos + 5 + len));
            pos += 5 + len;
          }
          pending[0] = p.getBuffer(pos, p.length());
        });
  }

  private void serve(HttpServerRequest req) {
    String method = req.path().substring(req.path().lastIndexOf('/') + 1);
    requestHeaders.put(method, MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
    HttpServerResponse resp =
        req.response().putHeader("content-type", "application/grpc").putHeader("x-server", method);
    switch (method) {
      case "Chat", "Close" -> {
        messages(req, m -> resp.write(GrpcUpstream.frame("echo " + m)));
        req.endHandler(v -> resp.putTrailer("grpc-status", "0").end());
      }
      case "Fail" ->
          messages(
              req,
              m ->
                  resp.write(GrpcUpstream.frame("partial " + m))
                      .onComplete(
                          ar ->
                              resp.putTrailer("grpc-status", "9")
                                  .putTrailer("grpc-message", "not%20now")
                                  .end()));
      case "Refuse" -> {
        req.handler(b -> {});
        resp.putHeader("grpc-status", "7").putHeader("grpc-message", "denied").end();
      }
      case "Split" ->
          req.endHandler(
              v -> {
                Buffer one = GrpcUpstream.frame("first message");
                // a message cut across DATA frames (written apart, so not merged), then two
                // messages in one DATA frame
                resp.write(one.getBuffer(0, 3));
                gw.vertx()
                    .setTimer(
                        20,
                        t1 -> {
                          resp.write(one.getBuffer(3, 9));
                          gw.vertx()
                              .setTimer(
                                  20,
                                  t2 -> {
                                    resp.write(one.getBuffer(9, one.length()));
                                    resp.write(
                                        GrpcUpstream.frame("second")
                                            .appendBuffer(GrpcUpstream.frame("third")));
                                    resp.putTrailer("grpc-status", "0")
                                        .putTrailer("x-end", "yes")
                                        .end();
                                  });
                        });
              });
      case "Busy" -> {
        // not 200, no grpc-status, a body follows
        req.handler(b -> {});
        resp.setStatusCode(503).write("overloaded");
        req.endHandler(v -> gw.vertx().setTimer(200, t -> resp.end()));
      }
      case "Gone" -> {
        req.handler(b -> {});
        resp.setStatusCode(404).end();
      }
      case "Shed" -> {
        req.handler(b -> {});
        resp.setStatusCode(503).putHeader("grpc-status", "14").putHeader("grpc-message", "shed");
        resp.end();
      }
      case "Bare" -> {
        // 200 headers alone, without a grpc-status
        req.handler(b -> {});
        resp.end();
      }
      case "Reset" -> {
        req.handler(b -> {});
        resp.writeHead().onComplete(ar -> gw.vertx().setTimer(100, t -> resp.reset()));
      }
      case "Hang" -> {
        req.exceptionHandler(reset::complete);
        resp.exceptionHandler(reset::complete);
        messages(req, m -> resp.write(GrpcUpstream.frame("echo " + m)));
      }
      default -> req.endHandler(v -> resp.putTrailer("grpc-status", "0").end());
    }
  }

  @BeforeEach
  void start() throws Exception {
    closesAfterCancel.set(0);
    grpc = GrpcUpstream.start(gw, this::serve);
    String filter = Specs.javaFilter("grpc-streamer");
    String yaml =
        Specs.bootstrap(
            filter,
            "",
            Specs.http2Cluster("grpc", grpc.actualPort()),
            Specs.http2Cluster("down", closedPort()));
    gateway =
        gw.start(
            Gateway.builder(Specs.parse(yaml))
                .offer("grpc-streamer", new GrpcStreamer())
                .concurrency(1));
  }

  /** A port nothing listens on. */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private String call(String method) throws Exception {
    return Http.okBody(gateway.port(0), "/" + method + "/x");
  }

  @Test
  void messagesGoBothWaysAndTheStreamEndsWithTheServersStatus() throws Exception {
    assertEquals(
        "init Chat | msg echo m1 | msg echo m2 | msg echo m3 | trail 0 | close 0 ", call("Chat"));
    MultiMap h = requestHeaders.get("Chat");
    assertEquals("application/grpc", h.get("content-type"));
    assertEquals("trailers", h.get("te"));
    assertEquals("plugin", h.get("x-client"));
    assertFalse(h.contains("grpc-timeout"), "a stream has no deadline");
  }

  @Test
  void thePluginsCloseEndsTheRequestAndTheAnswerStillArrives() throws Exception {
    assertEquals("init Close | msg echo a | msg echo b | trail 0 | close 0 ", call("Close"));
  }

  @Test
  void anErrorStatusClosesTheStream() throws Exception {
    // after a message, trailers with an error status (its message percent-decoded)
    assertEquals("init Fail | msg partial m1 | trail 9 | close 9 not now", call("Fail"));
    // trailers-only: no initial metadata, the headers are the trailing metadata
    assertEquals("init - | trail 7 | close 7 denied", call("Refuse"));
  }

  @Test
  void messagesAreWholeHoweverDataFramesCutThem() throws Exception {
    assertEquals(
        "init Split | msg first message | msg second | msg third | trail 0 | close 0 ",
        call("Split"));
  }

  @Test
  void aCancelResetsTheStreamAndNothingMoreReachesThePlugin() throws Exception {
    assertEquals("init Hang | msg echo m1 | cancelled", call("Hang"));
    assertNotNull(reset.get(10, TimeUnit.SECONDS), "the server saw the stream reset");
    // a later stream on the same loop completes: the cancelled one was not closed meanwhile
    assertEquals("init Close | msg echo a | msg echo b | trail 0 | close 0 ", call("Close"));
    assertEquals(0, closesAfterCancel.get());
  }

  @Test
  void streamsNeedAnHttp2ClusterThatExists() throws Exception {
    assertEquals("refused BAD_ARGUMENT", call("Plain"));
    assertEquals("refused PARSE_FAILURE", call("Nowhere"));
  }

  /**
   * Answers that are not HTTP 200 close as Envoy's gRPC client closes them: CANCELLED after the
   * headers as initial metadata (empty when they end the answer) and empty trailing metadata,
   * unless headers that end the answer carry a grpc-status, which then is the close.
   */
  @Test
  void anAnswerThatIsNot200ClosesAsEnvoysClientDoes() throws Exception {
    assertEquals("init Busy | trail - | close 1 ", call("Busy"));
    assertEquals("init - | trail - | close 1 ", call("Gone"));
    assertEquals("init - | trail 14 | close 14 shed", call("Shed"));
    // 200 headers that end the answer are its trailers; without a grpc-status, UNKNOWN
    assertEquals("init - | trail - | close 2 ", call("Bare"));
  }

  @Test
  void aResetAfterTheHeadersIsInternalAndAClusterNotReachedIsAnEnvoyLocalReply() throws Exception {
    assertEquals("init Reset | trail - | close 13 ", call("Reset"));
    assertEquals(
        "init - | trail 14 | close 14 upstream connect error or disconnect/reset before headers."
            + " reset reason: connection failure",
        call("Down"));
  }
}

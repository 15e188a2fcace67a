package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.nullvm.Action;
import io.proxywasm.nullvm.HttpContext;
import io.proxywasm.nullvm.JavaPlugin;
import io.proxywasm.nullvm.RootContext;
import io.proxywasm.nullvm.StreamContext;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.FilterStatus;
import io.proxywasm.spi.StreamType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The kit's drivers and fakes: scripted upstreams, TCP, ticks, queues, foreign functions. */
class KitDriversTest {

  private record Inline(String name, Supplier<RootContext> roots) implements JavaPlugin {
    @Override
    public RootContext newRootContext() {
      return roots.get();
    }
  }

  /** Pauses each request, asks upstream {@code x-upstream}, and resumes or denies on the answer. */
  private static final JavaPlugin AUTH =
      new Inline(
          "auth",
          () ->
              new RootContext() {
                @Override
                public void onHttpCallResponse(int token, int headers, int size, int trailers) {
                  logInfo("answer after the stream ended, headers: " + headers);
                }

                @Override
                public HttpContext newHttpContext(int id) {
                  return new HttpContext() {
                    @Override
                    public Action onRequestHeaders(int headers, boolean endOfStream) {
                      dispatchHttpCall(
                          requestHeaders().get("x-upstream").orElse("auth"),
                          List.of(
                              Map.entry(":method", "GET"),
                              Map.entry(":path", "/check"),
                              Map.entry(":authority", "auth")),
                          new byte[0],
                          List.of(),
                          Duration.ofMillis(500));
                      return Action.PAUSE;
                    }

                    @Override
                    public void onHttpCallResponse(int token, int headers, int size, int trailers) {
                      String status =
                          httpCallResponseHeaders().stream()
                              .filter(e -> e.getKey().equals(":status"))
                              .map(Map.Entry::getValue)
                              .findFirst()
                              .orElse("none");
                      if (status.equals("200")) {
                        resumeRequest();
                      } else {
                        sendLocalResponse(403, List.of(), "denied: " + status);
                      }
                    }
                  };
                }
              });

  @Test
  void scriptedUpstreamsAnswerFailAndTimeOut() throws Exception {
    FakeUpstreams upstreams =
        new FakeUpstreams().respond("auth", 200, "ok").fail("broken", "reset").hang("slow");
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime("null").javaPlugin(AUTH).upstreams(upstreams).start()) {
      ExchangeResult allowed = plugin.http().requestHeader(":path", "/a").run();
      assertEquals(List.of(StreamType.REQUEST), allowed.resumed());
      assertTrue(allowed.localResponse().isEmpty());

      ExchangeResult broken =
          plugin.http().requestHeader(":path", "/b").requestHeader("x-upstream", "broken").run();
      assertEquals("denied: none", broken.localResponse().orElseThrow().bodyText());

      ExchangeResult unknown = plugin.http().requestHeader("x-upstream", "nowhere").run();
      assertEquals(1, plugin.extension().events(io.proxywasm.spi.WasmEvent.RUNTIME_ERROR).size());
      assertEquals(503, unknown.localResponse().orElseThrow().status(), "BadArgument thrown");

      assertEquals(
          List.of("/check"),
          upstreams.calls("auth").stream().map(c -> c.headers().get(1).getValue()).toList());
      assertEquals(3, upstreams.calls().size());
    }
    FakeUpstreams slow = new FakeUpstreams().hang("auth");
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime("null").javaPlugin(AUTH).upstreams(slow).start()) {
      ExchangeResult waiting = plugin.http().requestHeader(":path", "/slow").run();
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK, waiting.requestHeadersStatus());
      assertTrue(waiting.localResponse().isEmpty(), "still waiting for the upstream");
      assertEquals(1, slow.calls().size());
      plugin.advance(Duration.ofMillis(499));
      assertTrue(plugin.logs().messages().isEmpty(), plugin.logs().messages().toString());
      plugin.advance(Duration.ofMillis(1));
      assertEquals(
          List.of("answer after the stream ended, headers: 0"),
          plugin.logs().messages(),
          "the timeout answers the root context once the stream is gone");
    }
  }

  @Test
  void tcpTicksQueuesAndForeignFunctions() throws Exception {
    JavaPlugin echo =
        new Inline(
            "echo",
            () ->
                new RootContext() {
                  private int queue;

                  @Override
                  public boolean onConfigure(int size) {
                    queue = registerSharedQueue("jobs");
                    setTickPeriod(Duration.ofSeconds(1));
                    return true;
                  }

                  @Override
                  public void onTick() {
                    logInfo("tick");
                  }

                  @Override
                  public void onQueueReady(int token) {
                    logInfo(
                        "job "
                            + new String(
                                dequeueSharedQueue(queue).orElseThrow(), StandardCharsets.UTF_8));
                  }

                  @Override
                  public void onForeignFunction(int functionId, int size) {
                    logInfo(
                        "call "
                            + functionId
                            + " "
                            + new String(foreignFunctionArguments(), StandardCharsets.UTF_8));
                  }

                  @Override
                  public StreamContext newStreamContext(int id) {
                    return new StreamContext() {
                      @Override
                      public Action onDownstreamData(int size, boolean endOfStream) {
                        downstreamData()
                            .replaceAll(
                                downstreamData()
                                    .text()
                                    .toUpperCase()
                                    .getBytes(StandardCharsets.UTF_8));
                        return Action.CONTINUE;
                      }

                      @Override
                      public Action onUpstreamData(int size, boolean endOfStream) {
                        closeDownstream();
                        return Action.PAUSE;
                      }
                    };
                  }
                });
    try (TestPlugin plugin = ProxyWasmTestKit.runtime("null").javaPlugin(echo).start()) {
      try (TcpConnection tcp = plugin.tcp()) {
        assertEquals(FilterStatus.CONTINUE, tcp.newConnectionStatus());
        TcpConnection.Chunk up = tcp.downstream("hello", false);
        assertEquals(FilterStatus.CONTINUE, up.status());
        assertEquals("HELLO", up.text());
        assertEquals(FilterStatus.STOP_ITERATION, tcp.upstream("bye", true).status());
        assertEquals(List.of(StreamType.DOWNSTREAM), tcp.closedByPlugin());
      }
      int before = plugin.logs().size();
      plugin.tick();
      plugin.enqueue(plugin.plugin().info().vmId(), "jobs", "j1".getBytes(StandardCharsets.UTF_8));
      plugin.callForeignFunction(7, "args".getBytes(StandardCharsets.UTF_8));
      assertEquals(
          List.of("tick", "job j1", "call 7 args"),
          plugin.logs().since(before).stream().map(RecordingLogSink.Line::message).toList());
      IllegalArgumentException noQueue =
          assertThrows(
              IllegalArgumentException.class, () -> plugin.enqueue("", "missing", new byte[0]));
      assertTrue(noQueue.getMessage().contains("registered: [jobs]"), noQueue.getMessage());
    }
  }
}

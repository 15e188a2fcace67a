package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.sdk.Action;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.sdk.StreamContext;
import io.proxywasm.spi.FilterStatus;
import io.proxywasm.spi.StreamType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The kit's drivers: TCP, ticks, queues, foreign functions (callouts: CalloutOnEveryRuntimeTest).
 */
class KitDriversTest {

  private record Inline(String name, Supplier<RootContext> roots) implements JavaPlugin {
    @Override
    public RootContext newRootContext() {
      return roots.get();
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

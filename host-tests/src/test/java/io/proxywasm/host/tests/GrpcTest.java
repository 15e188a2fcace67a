package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.GrpcCallHandler;
import io.proxywasm.host.GrpcCallRequest;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.WasmResult;
import io.proxywasm.testkit.RecordingLogSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** gRPC streams and unary calls: every callback, sends, cancel, status and timeout. */
class GrpcTest {
  private final RecordingLogSink log = new RecordingLogSink();
  private final ManualScheduler scheduler = new ManualScheduler();
  private final List<GrpcCallRequest> opened = new ArrayList<>();
  private final List<GrpcCallHandler.Callbacks> callbacks = new ArrayList<>();
  private final List<String> outbound = new ArrayList<>();
  private final ProxyWasmHost host =
      TestSupport.host(log, scheduler)
          .grpcCalls(
              (request, cb) -> {
                if (!new String(request.service(), StandardCharsets.UTF_8).equals("upstream")) {
                  throw new GrpcCallHandler.Rejected(WasmResult.PARSE_FAILURE, "unknown");
                }
                opened.add(request);
                callbacks.add(cb);
                return new GrpcCallHandler.Outbound() {
                  @Override
                  public void send(byte[] message, boolean endOfStream) {
                    outbound.add("send " + new String(message, StandardCharsets.UTF_8));
                  }

                  @Override
                  public void cancel() {
                    outbound.add("cancel " + request.method());
                  }
                };
              })
          .build();

  @AfterEach
  void tearDown() {
    host.close();
  }

  private PluginHandle start(Worker worker) throws PluginLoadException {
    Plugin plugin =
        host.load(
            PluginConfig.builder("grpc")
                .runtime(TestSupport.RUNTIME)
                .code(TestSupport.wat("grpc.wat"))
                .build());
    PluginHandle handle = worker.handle(plugin);
    handle.rootContextId();
    return handle;
  }

  @Test
  void streamDeliversEveryCallbackThenCloses() throws Exception {
    try (Worker worker = host.newWorker()) {
      start(worker);
      // canary and worker each opened a stream (token 6) and sent "hello"
      assertEquals(List.of("send hello", "send hello"), outbound);
      GrpcCallRequest request = opened.get(1);
      assertTrue(request.streaming());
      assertEquals("pkg.Svc", request.serviceName());
      assertEquals("Watch", request.method());
      assertTrue(log.messages().contains("open 0 6 0"), log.messages().toString());
      log.clear();

      GrpcCallHandler.Callbacks cb = callbacks.get(1);
      cb.onInitialMetadata(List.of(Header.of("a", "1"), Header.of("b", "2")));
      cb.onMessage("world".getBytes(StandardCharsets.UTF_8));
      cb.onTrailingMetadata(List.of(Header.of("t", "1")));
      cb.onClose(14, "unavailable");
      cb.onMessage("late".getBytes(StandardCharsets.UTF_8));
      scheduler.runDue();
      assertEquals(
          List.of("init 6 2 0", "msg 6 5 0", "world", "trail 6 1 0", "close 6 14 0", "unavailable"),
          log.messages());
    }
  }

  @Test
  void cancelStopsCallbacksAndUnknownTokensAreNotFound() throws Exception {
    try (Worker worker = host.newWorker()) {
      PluginHandle handle = start(worker);
      log.clear();
      HttpStream stream = handle.newHttpStream(HttpStreamListener.IGNORE);
      stream.onRequestHeaders(new HeaderMap(), true);
      stream.close();
      assertEquals(List.of("cancel 0 1 0"), log.messages(), "cancel, then NOT_FOUND");
      assertTrue(outbound.contains("cancel Watch"));
      log.clear();
      callbacks.get(1).onClose(0, "");
      scheduler.runDue();
      assertEquals(List.of(), log.messages(), "no callback after cancel");
    }
  }

  @Test
  void unaryCallTimesOutWithDeadlineExceeded() throws Exception {
    try (Worker worker = host.newWorker()) {
      PluginHandle handle = start(worker);
      log.clear();
      handle.tick();
      GrpcCallRequest call = opened.get(opened.size() - 1);
      assertEquals("Get", call.method());
      assertEquals("req", new String(call.message(), StandardCharsets.UTF_8));
      assertEquals(Duration.ofSeconds(1), call.timeout());
      assertEquals(List.of("call 0 5 0"), log.messages());
      log.clear();
      scheduler.advance(Duration.ofMillis(1000));
      assertEquals(List.of("close 5 4 0", "timeout"), log.messages());
      assertTrue(outbound.contains("cancel Get"));
      callbacks.get(callbacks.size() - 1).onClose(0, "too late");
      scheduler.runDue();
      assertEquals(2, log.messages().size(), "closed exactly once");
    }
  }

  /**
   * A unary call's answer reaches the plugin as its outcome only, as Envoy's gRPC call handler
   * delivers it: no metadata, the last message as one receive, and no close after it.
   */
  @Test
  void unaryCallDeliversItsMessageAloneWithoutMetadataOrClose() throws Exception {
    try (Worker worker = host.newWorker()) {
      PluginHandle handle = start(worker);
      handle.tick();
      GrpcCallHandler.Callbacks cb = callbacks.get(callbacks.size() - 1);
      log.clear();
      cb.onInitialMetadata(List.of(Header.of("a", "1")));
      cb.onMessage("first".getBytes(StandardCharsets.UTF_8));
      cb.onMessage("answer".getBytes(StandardCharsets.UTF_8));
      cb.onTrailingMetadata(List.of(Header.of("grpc-status", "0")));
      cb.onClose(0, "");
      scheduler.runDue();
      assertEquals(List.of("msg 5 6 0", "answer"), log.messages());
      // the call is over: a late close, or the timeout, reaches nobody
      cb.onClose(0, "");
      scheduler.advance(Duration.ofMillis(1000));
      assertEquals(List.of("msg 5 6 0", "answer"), log.messages());
    }
  }

  @Test
  void unaryCallFailureIsOneCloseAndOkWithoutMessageIsInternal() throws Exception {
    try (Worker worker = host.newWorker()) {
      PluginHandle handle = start(worker);
      handle.tick();
      GrpcCallHandler.Callbacks failing = callbacks.get(callbacks.size() - 1);
      handle.tick();
      GrpcCallHandler.Callbacks empty = callbacks.get(callbacks.size() - 1);
      log.clear();
      failing.onInitialMetadata(List.of(Header.of("a", "1")));
      failing.onMessage("partial".getBytes(StandardCharsets.UTF_8));
      failing.onClose(14, "unavailable");
      empty.onClose(0, "");
      scheduler.runDue();
      assertEquals(List.of("close 5 14 0", "unavailable", "close 9 13 0", ""), log.messages());
    }
  }
}

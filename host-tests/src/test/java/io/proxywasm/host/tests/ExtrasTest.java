package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.HostClock;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginHandle;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.TcpStream;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterStatus;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.WasmResult;
import io.proxywasm.testkit.RecordingLogSink;
import io.proxywasm.testkit.RecordingStreamListener;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** WASI, foreign functions in both directions, TCP streams and capability restriction. */
class ExtrasTest {
  private static final long NOW = 0x1234_5678_9ABC_DEF0L;
  private final RecordingLogSink log = new RecordingLogSink();

  /** The plugin's log lines, each as "LEVEL message". */
  private List<String> lines() {
    return log.lines().stream().map(RecordingLogSink.Line::toString).toList();
  }

  private final ProxyWasmHost host =
      TestSupport.host(log, new ManualScheduler())
          .clock(
              new HostClock() {
                @Override
                public long realtimeNanos() {
                  return NOW;
                }

                @Override
                public long monotonicNanos() {
                  return 5;
                }
              })
          .foreignFunction(
              "reverse",
              (caller, args) ->
                  new StringBuilder(new String(args, StandardCharsets.UTF_8))
                      .reverse()
                      .toString()
                      .getBytes(StandardCharsets.UTF_8))
          .build();

  @AfterEach
  void tearDown() {
    host.close();
  }

  private Plugin load(Set<String> allowed) throws PluginLoadException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KEY1", "VA");
    env.put("K2", "value2");
    return host.load(
        PluginConfig.builder("extras")
            .runtime(TestSupport.RUNTIME)
            .code(TestSupport.wat("extras.wat"))
            .environment(env)
            .allowedCapabilities(allowed)
            .build());
  }

  @Test
  void wasiAndForeignFunctions() throws Exception {
    try (Plugin plugin = load(Set.of())) {
      assertEquals(
          List.of(
              "INFO out line",
              "INFO wasi 0 9 1", // fd_write stdout: one trailing newline stripped, 9 written
              "ERROR err line",
              "INFO wasi 0 8 2",
              "INFO wasi 8 0 3", // fd 3: EBADF
              "INFO wasi 0 2 18", // two variables: KEY1=VA and K2=value2, 8 + 10 bytes
              "INFO KEY1=VA",
              "INFO wasi 0 " + Integer.toUnsignedString((int) NOW) + " 4",
              "INFO wasi 58 0 5", // unknown clock: ENOTSUP
              "INFO wasi 0 28 6", // 16 random bytes; 65537 is too many: EINVAL
              "INFO foreign 0 3 0",
              "INFO cba",
              "INFO foreign 1 0 1"),
          lines().subList(0, 13));
      log.clear();
      try (Worker worker = host.newWorker()) {
        PluginHandle handle = worker.handle(plugin);
        handle.rootContextId();
        log.clear();
        assertTrue(handle.callForeignFunction(7, "payload".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("INFO foreign 7 7 2", "INFO payload"), lines());
      }
    }
  }

  @Test
  void procExitFailsTheVm() throws Exception {
    try (Plugin plugin = load(Set.of());
        Worker worker = host.newWorker()) {
      PluginHandle handle = worker.handle(plugin);
      handle.rootContextId();
      log.clear();
      handle.tick();
      assertTrue(lines().contains("ERROR wasi_unstable proc_exit"), lines().toString());
      HttpStream stream = handle.newHttpStream(HttpStreamListener.IGNORE);
      assertTrue(lines().contains("INFO out line"), "a fresh clone replaced the failed one");
      stream.close();
    }
  }

  @Test
  void tcpStream() throws Exception {
    try (Plugin plugin = load(Set.of());
        Worker worker = host.newWorker()) {
      RecordingStreamListener decisions = new RecordingStreamListener();
      TcpStream tcp = worker.handle(plugin).newTcpStream(decisions, PropertyResolver.NONE);
      log.clear();
      int id = tcp.contextId();
      assertEquals(FilterStatus.CONTINUE, tcp.onNewConnection());
      BodyBuffer data = new BodyBuffer("PING!".getBytes(StandardCharsets.UTF_8));
      assertEquals(FilterStatus.CONTINUE, tcp.onDownstreamData(data, false));
      assertEquals("PONG", new String(data.bytes(), StandardCharsets.UTF_8));
      assertEquals(FilterStatus.STOP_ITERATION, tcp.onUpstreamData(new BodyBuffer(), true));
      tcp.onConnectionClose(StreamType.DOWNSTREAM, PeerType.REMOTE);
      tcp.close();
      assertEquals(
          List.of(
              "INFO tcp " + id + " 0 0",
              "INFO tcp " + id + " 5 0",
              "INFO tcp " + id + " 0 9",
              "INFO tcp " + id + " 2 7",
              "INFO tcp " + id + " 0 8"),
          lines());
      assertTrue(decisions.closed().isEmpty());
    }
  }

  @Test
  void restrictedCapabilitiesAreStubbedOrHidden() throws Exception {
    // fd_write and the foreign function call are not allowed; proxy_on_foreign_function is hidden
    try (Plugin plugin =
            load(
                Set.of(
                    "proxy_log",
                    "proxy_on_vm_start",
                    "environ_sizes_get",
                    "environ_get",
                    "clock_time_get",
                    "random_get"));
        Worker worker = host.newWorker()) {
      List<String> lines = lines().subList(0, 8);
      assertEquals("ERROR Attempted call to restricted WASI capability: fd_write", lines.get(0));
      assertEquals("INFO wasi 76 0 1", lines.get(1), "ENOTCAPABLE");
      assertTrue(
          lines()
              .contains(
                  "ERROR Attempted call to restricted proxy-wasm capability:"
                      + " proxy_call_foreign_function"),
          lines().toString());
      assertTrue(
          lines().contains("INFO foreign " + WasmResult.INTERNAL_FAILURE.code() + " 0 0"),
          lines().toString());
      PluginHandle handle = worker.handle(plugin);
      handle.rootContextId();
      log.clear();
      handle.callForeignFunction(7, new byte[] {1});
      assertEquals(List.of(), lines(), "a restricted callback is never called");
    }
  }
}

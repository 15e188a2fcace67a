package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HostClock;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LogLimit;
import io.proxywasm.host.LogSink;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.testkit.RecordingLogSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A plugin that logs in a loop cannot flood the log: its lines are limited, counted and said. */
class LogFloodTest {
  /** Logs "flood" 5000 times on every request. */
  private static final String FLOODER =
      "(module\n"
          + "  (import \"env\" \"proxy_log\" (func $log (param i32 i32 i32) (result i32)))\n"
          + "  (memory (export \"memory\") 1)\n"
          + "  (data (i32.const 16) \"flood\")\n"
          + "  (func (export \"malloc\") (param i32) (result i32) (i32.const 1024))\n"
          + "  (func (export \"proxy_abi_version_0_2_1\"))\n"
          + "  (func (export \"proxy_on_context_create\") (param i32 i32))\n"
          + "  (func (export \"proxy_on_request_headers\") (param i32 i32 i32) (result i32)\n"
          + "    (local $i i32)\n"
          + "    (loop $again\n"
          + "      (drop (call $log (i32.const 2) (i32.const 16) (i32.const 5)))\n"
          + "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
          + "      (br_if $again (i32.lt_u (local.get $i) (i32.const 5000))))\n"
          + "    (i32.const 0)))";

  private final RecordingLogSink log = new RecordingLogSink();
  private final AtomicLong now = new AtomicLong(5_000_000_000L);
  private final ProxyWasmHost host =
      TestSupport.host(log, new ManualScheduler())
          .logLimit(new LogLimit(100, 1 << 20))
          .clock(
              new HostClock() {
                @Override
                public long realtimeNanos() {
                  return now.get();
                }

                @Override
                public long monotonicNanos() {
                  return now.get();
                }
              })
          .build();

  @AfterEach
  void tearDown() {
    host.close();
  }

  @Test
  void linesOverThePluginsLimitAreDroppedCountedAndReported() throws Exception {
    try (Plugin plugin =
            host.load(
                PluginConfig.builder("flooder")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.watText(FLOODER))
                    .build());
        Worker worker = host.newWorker()) {
      worker
          .handle(plugin)
          .newHttpStream(HttpStreamListener.IGNORE)
          .onRequestHeaders(HeaderMap.of(":path", "/"), true);
      assertEquals(100, log.messages().size(), "one second's budget");
      log.clear();
      now.addAndGet(1_000_000_000L);
      worker
          .handle(plugin)
          .newHttpStream(HttpStreamListener.IGNORE)
          .onRequestHeaders(HeaderMap.of(":path", "/"), true);
      List<String> lines = log.lines().stream().map(RecordingLogSink.Line::toString).toList();
      assertEquals(
          "WARN suppressed 4900 log lines (24500 characters) from this plugin over its limit of"
              + " 100 lines and 1048576 characters per second",
          lines.get(0));
      assertEquals(101, lines.size());
      assertEquals("INFO flood", lines.get(1));
    }
  }

  @Test
  void linesBelowThePluginsLevelAreDroppedAndTheSinkIsToldOfEach() throws Exception {
    List<String> dropped = new CopyOnWriteArrayList<>();
    LogSink sink =
        new LogSink() {
          @Override
          public void log(PluginInfo plugin, LogLevel level, String message) {
            log.log(plugin, level, message);
          }

          @Override
          public void dropped(PluginInfo plugin, LogLevel level, LogLevel pluginLevel) {
            dropped.add(plugin.name() + " " + level + " below " + pluginLevel);
          }
        };
    try (ProxyWasmHost quiet =
            ProxyWasmHost.builder().logSink(sink).scheduler(new ManualScheduler()).build();
        Plugin plugin =
            quiet.load(
                PluginConfig.builder("flooder")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.watText(FLOODER))
                    .logLevel(LogLevel.WARN)
                    .build());
        Worker worker = quiet.newWorker()) {
      worker
          .handle(plugin)
          .newHttpStream(HttpStreamListener.IGNORE)
          .onRequestHeaders(HeaderMap.of(":path", "/"), true);
      assertEquals(List.of(), log.messages());
      assertEquals(5000, dropped.size());
      assertEquals("flooder INFO below WARN", dropped.get(0));
    }
  }

  @Test
  void aLimitNeedsAtLeastOneLine() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new LogLimit(0, 10));
    assertEquals(
        "a log limit needs at least 1 line and 1 character per second, not 0 and 10",
        e.getMessage());
  }
}

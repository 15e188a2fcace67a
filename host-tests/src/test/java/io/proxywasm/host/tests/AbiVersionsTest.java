package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.StreamType;
import io.proxywasm.testkit.RecordingLogSink;
import io.proxywasm.testkit.RecordingStreamListener;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ABI 0.1.0 behaviours that differ from 0.2.x. */
class AbiVersionsTest {

  @Test
  void abi010Module() throws Exception {
    RecordingLogSink log = new RecordingLogSink();
    try (ProxyWasmHost host = TestSupport.host(log, new ManualScheduler()).build();
        Plugin plugin =
            host.load(
                PluginConfig.builder("old")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.wat("abi010.wat"))
                    .vmConfiguration("the vm config")
                    .pluginConfiguration("the plugin config")
                    .build());
        Worker worker = host.newWorker()) {
      assertEquals(AbiVersion.V0_1_0, plugin.abiVersion());
      // proxy_get_configuration: VM configuration at start, plugin configuration in configure
      assertEquals(List.of("the vm config", "the plugin config"), log.messages());
      log.clear();
      RecordingStreamListener decisions = new RecordingStreamListener();
      HttpStream stream = worker.handle(plugin).newHttpStream(decisions);
      log.clear();
      assertEquals(
          FilterHeadersStatus.CONTINUE,
          stream.onRequestHeaders(HeaderMap.of(":path", "/", "a", "b"), false));
      // missing header: Ok (0) and pointer/size written as 0/0; continue_request: Ok; 2 headers
      assertEquals(List.of("x-missing 0 0 0", "cfg 0 2 0"), log.messages());
      assertEquals(List.of(StreamType.REQUEST), decisions.resumed());
      log.clear();
      stream.onResponseHeaders(HeaderMap.of(":status", "200"), true);
      // continue_response and clear_route_cache: Ok; 1 header
      assertEquals(List.of("resp 0 0 1"), log.messages());
      assertEquals(List.of(StreamType.REQUEST, StreamType.RESPONSE), decisions.resumed());
      stream.close();
    }
  }
}

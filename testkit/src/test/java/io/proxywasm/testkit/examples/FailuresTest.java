package io.proxywasm.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.PluginFailure;
import io.proxywasm.testkit.ExchangeResult;
import io.proxywasm.testkit.FakeUpstreams;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TestPlugin;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailuresTest {
  // c-callout traps on /trap and loops forever on /loop.
  private static final Path CALLOUT = Path.of("../plugins/wasm/c-callout.wasm");

  @Test
  void aTrapAndALoopGetTheFailPolicyAndTheNextRequestAFreshVm() throws Exception {
    try (TestPlugin plugin =
        ProxyWasmTestKit.runtime("chicory")
            .plugin(CALLOUT)
            .upstreams(new FakeUpstreams().respond("auth", 200, "ok"))
            .config(c -> c.callDeadline(Duration.ofMillis(100))) // catch a loop quickly
            .start()) {
      ExchangeResult trapped = plugin.http().requestHeader(":path", "/trap").run();
      assertEquals(PluginFailure.Cause.TRAP, trapped.failure().orElseThrow().cause());
      assertEquals(503, trapped.localResponse().orElseThrow().status()); // fail closed

      ExchangeResult looped = plugin.http().requestHeader(":path", "/loop").run();
      PluginFailure stopped = looped.failure().orElseThrow();
      assertEquals(PluginFailure.Cause.DEADLINE_EXCEEDED, stopped.cause());
      assertTrue(stopped.message().contains("proxy_on_request_headers"), stopped.message());

      assertTrue(plugin.http().requestHeader(":path", "/a").run().failure().isEmpty());
    }
  }
}

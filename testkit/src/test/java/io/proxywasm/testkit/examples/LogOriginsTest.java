package io.proxywasm.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.testkit.ExchangeResult;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.RecordingLogSink;
import io.proxywasm.testkit.TestHost;
import io.proxywasm.testkit.VmKind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogOriginsTest {
  // Logs "module started" from _initialize, "vm started" and "configured" from its root context,
  // "request headers" from each stream.
  private static final Path PLUGIN = Path.of("../plugins/wasm/startup-logs.wasm");

  @Test
  void eachLineSaysWhichVmAndWhichContextWroteIt() throws Exception {
    try (TestHost host =
        ProxyWasmTestKit.builder()
            .runtime("chicory")
            .service(s -> s.name("svc").code(PLUGIN).vmId("svc"))
            .plugin(p -> p.name("filter").code(PLUGIN))
            .start()) {
      RecordingLogSink logs = host.logs();
      // The base VM of each vm_key only starts the module; it never runs a root context.
      assertEquals(List.of("module started", "module started"), logs.messages(VmKind.BASE));
      // The canary starts and configures each plugin once at load, then is thrown away.
      assertEquals(
          List.of(
              "module started",
              "vm started",
              "configured",
              "module started",
              "vm started",
              "configured"),
          logs.messages(VmKind.CANARY));
      // The service's VM and the filter's worker clone each start it for real.
      assertEquals(
          List.of("module started", "vm started", "configured"), logs.messages(VmKind.SERVICE));
      assertEquals(
          List.of("module started", "vm started", "configured"), logs.messages(VmKind.WORKER));

      RecordingLogSink.Line started = logs.lines(VmKind.WORKER).get(0);
      assertEquals(0, started.contextId()); // the module's start-up runs in no context
      RecordingLogSink.Line configured = logs.lines(VmKind.WORKER).get(2);
      assertEquals(host.plugin("filter").rootContextId(), configured.contextId());

      ExchangeResult r = host.plugin("filter").http().requestHeader(":path", "/").run();
      RecordingLogSink.Line line = r.logs().get(0);
      assertEquals(VmKind.WORKER, line.vm());
      assertEquals(r.contextId(), line.contextId());
      assertEquals(
          "[filter worker ctx " + r.contextId() + "] INFO request headers", line.describe());
    }
  }
}

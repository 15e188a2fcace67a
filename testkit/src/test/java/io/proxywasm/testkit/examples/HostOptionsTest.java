package io.proxywasm.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.InMemoryExtension;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.TestHost;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostOptionsTest {
  /** Signs its node id with a host function at start-up, and counts that it did. */
  static final class Signer implements JavaPlugin {
    @Override
    public String name() {
      return "signer";
    }

    @Override
    public RootContext newRootContext() {
      return new RootContext() {
        @Override
        public boolean onConfigure(int size) {
          String node = propertyString("node", "id").orElse("?");
          byte[] signed = callForeignFunction("sign", node.getBytes(StandardCharsets.UTF_8));
          logDebug("signed " + new String(signed, StandardCharsets.UTF_8));
          defineCounter("signatures").increment();
          return true;
        }
      };
    }
  }

  @Test
  void everyOptionOfTheHostAndOfEachPlugin() throws Exception {
    InMemoryExtension mine = new InMemoryExtension();
    List<String> mySink = new ArrayList<>();
    try (TestHost host =
        ProxyWasmTestKit.builder()
            .foreignFunction(
                "sign",
                (caller, args) ->
                    ("sig(" + new String(args, StandardCharsets.UTF_8) + ")")
                        .getBytes(StandardCharsets.UTF_8))
            .properties(
                path ->
                    path.equals(List.of("node", "id"))
                        ? Optional.of("node-7".getBytes(StandardCharsets.UTF_8))
                        : Optional.empty())
            .extension(mine) // gets events and metrics too
            .logSink((plugin, level, message) -> mySink.add(message)) // gets log lines too
            .plugin(
                p ->
                    p.name("signer")
                        .javaPlugin(new Signer())
                        .logLevel(LogLevel.DEBUG)
                        .callDeadline(Duration.ofSeconds(2))
                        .memoryLimitBytes(64L << 20)
                        .config(c -> c.bodyBufferLimitBytes(4096))) // any other option
            .start()) {
      assertTrue(
          host.logs().messages(io.proxywasm.testkit.VmKind.WORKER).contains("signed sig(node-7)"));
      assertTrue(mySink.contains("signed sig(node-7)"));
      assertEquals(2, host.extension().metric("signatures").orElseThrow().value()); // canary too
      assertEquals(2, mine.metric("signatures").orElseThrow().value());
      assertEquals(Duration.ofSeconds(2), host.plugin("signer").plugin().config().callDeadline());
    }
  }
}

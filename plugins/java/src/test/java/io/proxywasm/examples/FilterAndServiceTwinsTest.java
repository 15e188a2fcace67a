package io.proxywasm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.spi.MetricType;
import io.proxywasm.testkit.PluginSpec;
import io.proxywasm.testkit.ProxyWasmTestKit;
import io.proxywasm.testkit.RecordingExtension;
import io.proxywasm.testkit.TestHost;
import io.proxywasm.testkit.TestPlugin;
import io.proxywasm.testkit.VmKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The path reporter filter and the path collector service on one host, exchanging queue items: the
 * C modules on a wasm runtime and the Java twins on the Null VM give the same counts.
 */
class FilterAndServiceTwinsTest {
  private static Path corpus(String name) {
    return Path.of(System.getProperty("proxywasm.plugins.dir", "../../plugins"), "wasm", name);
  }

  private static Consumer<PluginSpec> code(boolean java, String name) {
    return java
        ? s -> s.javaPlugin(name)
        : s -> s.code(corpus("c-" + name + ".wasm")).runtime("chicory-compiler");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void theServiceCountsWhatTheFilterReports(boolean java) throws Exception {
    try (TestHost host =
        ProxyWasmTestKit.builder()
            .service(
                s ->
                    code(java, "path-collector")
                        .andThen(c -> c.name("collector").vmId("paths"))
                        .accept(s))
            .plugin(
                p ->
                    code(java, "path-reporter")
                        .andThen(c -> c.name("reporter").configuration("paths"))
                        .accept(p))
            .start()) {
      TestPlugin reporter = host.plugin("reporter");
      for (String path : new String[] {"/a", "/b", "/a"}) {
        reporter.http().requestHeader(":path", path).run();
      }
      assertEquals(
          "2",
          new String(
              host.host().sharedData().get("paths", "path-count:/a").orElseThrow().value(),
              StandardCharsets.UTF_8));
      RecordingExtension.MetricValue collected =
          host.extension().metric("wasmcustom.collected_paths").orElseThrow();
      assertEquals(MetricType.COUNTER, collected.type());
      assertEquals(3, collected.value());
      assertEquals(
          java ? "null" : "chicory-compiler", host.service("collector").plugin().info().runtime());
      assertEquals(java ? "null" : "chicory-compiler", reporter.plugin().info().runtime());
      assertEquals(0, host.logs().lines(VmKind.SERVICE).size(), host.logs().toString());
    }
  }
}

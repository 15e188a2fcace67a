package io.proxywasm.host.tests;

import com.dylibso.chicory.wabt.Wat2Wasm;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.testkit.RecordingLogSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test plugins, and a host that logs to the kit's recording sink and waits for a manual scheduler.
 */
final class TestSupport {
  /** The runtime the host tests run on; the build runs them on each Chicory runtime. */
  static final String RUNTIME = System.getProperty("proxywasm.test.runtime", "chicory");

  private TestSupport() {}

  /**
   * A host builder whose plugin logs go to {@code log} and whose timers wait for {@code scheduler}.
   */
  static ProxyWasmHost.Builder host(RecordingLogSink log, ManualScheduler scheduler) {
    return ProxyWasmHost.builder().logSink(log).scheduler(scheduler);
  }

  /** Compiles a WAT test module from {@code src/test/resources/wat}. */
  static byte[] wat(String name) {
    try (InputStream in = TestSupport.class.getResourceAsStream("/wat/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test module " + name);
      }
      return Wat2Wasm.parse(include(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String include(String text) throws IOException {
    String marker = ";;@include lib.wat";
    if (!text.contains(marker)) {
      return text;
    }
    try (InputStream lib = TestSupport.class.getResourceAsStream("/wat/lib.wat")) {
      return text.replace(marker, new String(lib.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Compiles WAT text. */
  static byte[] watText(String text) {
    return Wat2Wasm.parse(text);
  }

  /** Reads a committed corpus plugin from {@code plugins/}. */
  static byte[] corpus(String relative) {
    String dir = System.getProperty("proxywasm.plugins.dir", "../plugins");
    try {
      return Files.readAllBytes(Path.of(dir, relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.proxywasm.host;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the host tests that need no test kit share (the fuzz and stress tests, and those that reach
 * package-private parts of the host). The tests that look at what a plugin logged and decided use
 * the kit's recorders, in host-tests.
 */
final class TestSupport {
  /** The runtime the host tests run on; the build runs them on each Chicory runtime. */
  static final String RUNTIME = System.getProperty("proxywasm.test.runtime", "chicory");

  /** A log sink for tests that do not look at plugin logs. */
  static final LogSink NO_LOGS = (plugin, level, message) -> {};

  private TestSupport() {}

  /** A host builder whose plugin logs are dropped and whose timers wait for {@code scheduler}. */
  static ProxyWasmHost.Builder host(ManualScheduler scheduler) {
    return ProxyWasmHost.builder().logSink(NO_LOGS).scheduler(scheduler);
  }

  /** Compiles a WAT test module from {@code src/test/resources/wat}. */
  static byte[] wat(String name) {
    try (InputStream in = TestSupport.class.getResourceAsStream("/wat/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test module " + name);
      }
      return Wat2Wasm.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

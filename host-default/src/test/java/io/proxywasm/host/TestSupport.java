package io.proxywasm.host;

import com.dylibso.chicory.wabt.Wat2Wasm;
import io.proxywasm.spi.LogLevel;
import io.proxywasm.spi.PluginInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test plugins, a recording log sink and a manual scheduler for host tests. */
final class TestSupport {
  /** The runtime the host tests run on; the build runs them on each Chicory runtime. */
  static final String RUNTIME = System.getProperty("proxywasm.test.runtime", "chicory");

  private TestSupport() {}

  /**
   * A host builder whose plugin logs go to {@code log} and whose timers wait for {@code scheduler}.
   */
  static ProxyWasmHost.Builder host(RecordingLog log, ManualScheduler scheduler) {
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

  /** Records plugin logs as "LEVEL message". */
  static final class RecordingLog implements LogSink {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final List<PluginInfo> plugins = new CopyOnWriteArrayList<>();

    @Override
    public void log(PluginInfo plugin, LogLevel level, String message) {
      lines.add(level + " " + message);
      plugins.add(plugin);
    }

    List<String> messages() {
      List<String> out = new ArrayList<>();
      for (String l : lines) {
        out.add(l.substring(l.indexOf(' ') + 1));
      }
      return out;
    }

    void clear() {
      lines.clear();
      plugins.clear();
    }
  }
}

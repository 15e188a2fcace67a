package io.proxywasm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's java.util.logging lines (here: splitting the huge functions of a Rust SDK plugin,
 * which a JVM with HotSpot's default {@code -XX:+DontCompileHugeMethods} logs at info) stay quiet
 * unless asked for, and never carry the JDK's timestamp line. Each case runs the command in a JVM
 * of its own, as {@code java -jar proxy-wasm.jar} does, so the module is compiled afresh. That JVM
 * runs the command on the class path whichever way this test runs, so the module-path run skips it:
 * it would only repeat the same three commands.
 */
@DisabledIfSystemProperty(
    named = "jdk.module.path",
    matches = ".+",
    disabledReason = "the command runs in a JVM of its own, on the class path, in both runs")
class CommandLoggingTest {
  private static final String PLUGIN = ProxyWasmCommandTest.plugin("rust-http-headers.wasm");

  private record Run(int exit, String out, String err) {}

  private static Run command(Path dir, String level, String... args)
      throws IOException, InterruptedException {
    List<String> classPath = new ArrayList<>();
    for (String property : new String[] {"jdk.module.path", "java.class.path"}) {
      String value = System.getProperty(property);
      if (value != null && !value.isEmpty()) {
        classPath.add(value);
      }
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(String.join(File.pathSeparator, classPath));
    command.add(ProxyWasmCommand.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove(CommandLogging.LEVEL_VARIABLE);
    if (level != null) {
      builder.environment().put(CommandLogging.LEVEL_VARIABLE, level);
    }
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the command did not finish");
    }
    return new Run(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /**
   * {@code proxy-wasm run} of the plugin for {@code /hello} on {@code chicory-compiler}, whose
   * splitting logs the info lines these tests look for.
   */
  private static Run runHello(Path dir, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("run"));
    args.addAll(List.of(options));
    args.addAll(
        List.of(
            "--runtime",
            "chicory-compiler",
            "--plugin",
            PLUGIN,
            "--request-header",
            ":path=/hello"));
    return command(dir, null, args.toArray(new String[0]));
  }

  @Test
  void runtimeInfoLinesAreQuietByDefault(@TempDir Path dir) throws Exception {
    Run run = runHello(dir);
    assertEquals(0, run.exit(), run.err());
    assertEquals("", run.err());
    assertTrue(run.out().contains("Hello, World!"), run.out());
  }

  @Test
  void verboseShowsThemAsLinesOfTheCommand(@TempDir Path dir) throws Exception {
    Run run = runHello(dir, "--verbose");
    assertEquals(0, run.exit(), run.err());
    String[] lines = run.err().split("\n");
    assertTrue(
        run.err().contains("proxy-wasm: info: io.proxywasm.chicory.HugeMethods: wasm module "),
        run.err());
    assertTrue(run.err().contains(" huge or likely huge function(s) into "), run.err());
    for (String line : lines) {
      assertTrue(line.startsWith("proxy-wasm: "), "a line not from the command: " + line);
    }
  }

  @Test
  void aLevelThatIsNoneOfTheFiveIsSaidInWords(@TempDir Path dir) throws Exception {
    Run bad = command(dir, "loud", "run", "--plugin", PLUGIN);
    assertEquals(2, bad.exit());
    assertEquals(
        "proxy-wasm: PROXY_WASM_LOG_LEVEL is 'loud'; it takes one of error, warn, info, debug,"
            + " trace\n",
        bad.err());
  }
}

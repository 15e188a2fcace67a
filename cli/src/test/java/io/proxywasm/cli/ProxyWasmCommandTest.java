package io.proxywasm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The command on the committed plugins: exit codes, text and JSON output, usage errors. */
class ProxyWasmCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private static String plugin(String name) {
    return Path.of(System.getProperty("proxywasm.plugins.dir", "../plugins"), "wasm", name)
        .toString();
  }

  private int run(String... args) {
    return ProxyWasmCommand.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helloGetsTheLocalResponse() {
    assertEquals(
        0,
        run(
            "run",
            "--plugin",
            plugin("c-http-headers.wasm"),
            "--request-header",
            ":path=/hello",
            "--json"));
    String json = out();
    assertTrue(json.contains("\"localResponse\":{\"status\":200"), json);
    assertTrue(json.contains("[\"Powered-By\",\"proxy-wasm\"]"), json);
    assertTrue(json.contains("\"body\":\"Hello, World!\\n\""), json);
    assertTrue(json.contains("\"action\":\"STOP_ALL_ITERATION_AND_WATERMARK\""), json);
    assertTrue(json.contains("\"failure\":null"), json);
  }

  @Test
  void otherPathsContinueWithTheHeadersLogged() {
    assertEquals(
        0,
        run(
            "run",
            "--plugin",
            plugin("c-http-headers.wasm"),
            "--request-header",
            ":path=/other",
            "--response-header",
            "server=test"));
    String text = out();
    assertTrue(text.startsWith("request: CONTINUE\n  :path: /other\n"), text);
    assertTrue(text.contains("response: CONTINUE"), text);
    assertTrue(text.contains("  trace #2 -> :path: /other"), text);
    assertTrue(text.contains("  trace #2 <- server: test"), text);
    assertTrue(text.contains("  trace #2 completed."), text);
  }

  @Test
  void aFailingPluginExitsWithOne() {
    assertEquals(
        1,
        run(
            "run",
            "--plugin",
            plugin("trap-in-request-headers.wasm"),
            "--request-header",
            ":path=/",
            "--json"));
    String json = out();
    assertTrue(json.contains("\"localResponse\":{\"status\":503"), json);
    assertTrue(json.contains("\"failure\":{\"kind\":\"RUNTIME_ERROR\",\"cause\":\"TRAP\""), json);
    assertTrue(json.contains("proxy_on_request_headers failed"), json);
  }

  @Test
  void aModuleThatCannotLoadExitsWithTwo() {
    assertEquals(2, run("run", "--plugin", plugin("unknown-import.wasm")));
    assertTrue(err().contains("missing import: env.proxy_does_not_exist"), err());
  }

  @Test
  void usageErrorsNameTheBadArgument() {
    assertEquals(2, run("run", "--plugin", plugin("c-http-headers.wasm"), "--request-header", "x"));
    assertTrue(err().contains("--request-header takes NAME=VALUE, not 'x'"), err());
    assertEquals(2, run("run", "--bogus", "1"));
    assertTrue(err().contains("unknown option --bogus"), err());
    assertEquals(2, run("frobnicate"));
    assertTrue(err().contains("unknown command 'frobnicate'"), err());
    assertEquals(2, run("run", "--plugin", "java:my-plugin"));
    assertTrue(err().contains("no Java plugin named 'my-plugin'"), err());
    assertEquals(0, run("run", "--help"));
    assertTrue(out().startsWith("usage: proxy-wasm run"), out());
  }

  @Test
  void runsAJavaPluginOnTheNullVm() {
    assertEquals(
        0,
        run("run", "--plugin", "java:http-headers", "--request-header", ":path=/hello", "--json"));
    String json = out();
    assertTrue(json.contains("\"status\":200"), json);
    assertTrue(json.contains("Hello, World!"), json);
    out.reset();
    assertEquals(
        0,
        run(
            "run",
            "--plugin",
            "java:http-headers",
            "--runtime",
            "null",
            "--request-header",
            ":path=/other",
            "--json"));
    assertTrue(out().contains("\"localResponse\":null"), out());
  }

  @Test
  void inspect() {
    assertEquals(0, run("inspect", plugin("abi-0-2-1-imports.wasm"), "--json"));
    String json = out();
    assertTrue(json.contains("\"abiVersion\":\"0.2.1\""), json);
    assertTrue(json.contains("\"loadable\":true"), json);
    assertTrue(json.contains("{\"module\":\"env\",\"name\":\"proxy_get_log_level\""), json);
    out.reset();
    assertEquals(2, run("inspect", plugin("abi-0-1-0-with-0-2-import.wasm")));
    assertTrue(out().contains("missing import: env.proxy_continue_stream"), out());
    out.reset();
    assertEquals(2, run("inspect", plugin("wrong-export-signature.wasm")));
    assertTrue(
        out()
            .contains(
                "Bad function signature for: proxy_on_request_headers, want: (i32, i32, i32) -> (i32),"
                    + " but the module exports: (i32, i32) -> (i32)"),
        out());
    out.reset();
    assertEquals(2, run("inspect", plugin("bad-magic.wasm")));
    assertTrue(out().contains("bad magic number"), out());
  }

  @Test
  void bench() {
    assertEquals(
        0,
        run(
            "bench",
            "--plugin",
            plugin("c-http-headers.wasm"),
            "--request-header",
            ":path=/other",
            "--requests",
            "200",
            "--warmup",
            "20",
            "--json"));
    String json = out().strip();
    assertTrue(json.matches("\\{\"runtime\":\"chicory-compiler\",\"requests\":200,.*"), json);
    assertTrue(json.matches(".*\"perRequestNanos\":[1-9][0-9]*,.*"), json);
    assertTrue(json.matches(".*\"cloneNanos\":[1-9][0-9]*,.*"), json);
    assertTrue(json.matches(".*\"memoryBytes\":[1-9][0-9]*,.*"), json);
    assertTrue(json.contains("\"pluginFailed\":false"), json);
  }
}

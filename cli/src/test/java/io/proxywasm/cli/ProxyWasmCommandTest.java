package io.proxywasm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proxywasm.spi.Runtimes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command on the committed plugins: exit codes, text and JSON output, usage errors. */
class ProxyWasmCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  static String plugin(String name) {
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

  private JsonNode json() throws Exception {
    return JSON.readTree(out());
  }

  private void reset() {
    out.reset();
    err.reset();
  }

  private static List<String> pair(JsonNode pair) {
    return List.of(pair.get(0).asText(), pair.get(1).asText());
  }

  private static List<String> messages(JsonNode report) {
    List<String> messages = new ArrayList<>();
    report.get("logs").forEach(l -> messages.add(l.get("message").asText()));
    return messages;
  }

  @Test
  void helloGetsTheLocalResponse() throws Exception {
    assertEquals(
        0,
        run(
            "run",
            "--plugin",
            plugin("c-http-headers.wasm"),
            "--request-header",
            ":path=/hello",
            "--json"));
    JsonNode r = json();
    assertEquals("http", r.get("stream").asText());
    assertEquals("STOP_ALL_ITERATION_AND_WATERMARK", r.get("request").get("action").asText());
    JsonNode local = r.get("localResponse");
    assertEquals(200, local.get("status").asInt());
    List<List<String>> headers = new ArrayList<>();
    local.get("headers").forEach(h -> headers.add(pair(h)));
    // Envoy sends local-reply header names in lower case
    assertTrue(headers.contains(List.of("powered-by", "proxy-wasm")), headers.toString());
    assertEquals("Hello, World!\n", local.get("body").asText());
    assertTrue(r.get("response").isNull(), "a local reply lists no upstream response: " + r);
    assertTrue(r.get("failure").isNull(), r.toString());
    assertFalse(r.has("hostStats"), "host stats only with --verbose: " + r);
  }

  @Test
  void aLocalReplySaysTheUpstreamWasNotCalled() {
    assertEquals(
        0,
        run("run", "--plugin", plugin("c-http-headers.wasm"), "--request-header", ":path=/hello"));
    String text = out();
    assertTrue(
        text.contains(
            "local reply: 200 (the plugin answered the request itself; the upstream was not"
                + " called)\n"),
        text);
    assertTrue(text.contains("  body: \"Hello, World!\\n\"\n"), text);
    assertFalse(text.contains("\nresponse:"), text);
    assertTrue(text.contains("docs/testing-plugins.md"), text);
    assertTrue(text.contains("--json"), text);
    assertTrue(text.contains("proxy-wasm inspect"), text);
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
    assertTrue(text.contains("response: CONTINUE\n  :status: 200\n  server: test\n"), text);
    assertTrue(
        text.contains(
            "logs (#N is a context id: #1 is the plugin's root context, #2 is this HTTP"
                + " stream):\n"),
        text);
    assertTrue(text.contains("  trace #2 -> :path: /other"), text);
    assertTrue(text.contains("  trace #2 <- server: test"), text);
    assertTrue(text.contains("  trace #2 completed."), text);
    assertFalse(text.contains("memory_size"), "the memory gauge only with --verbose: " + text);
    assertEquals("", err());
  }

  @Test
  void verboseShowsTheHostStats() throws Exception {
    assertEquals(
        0,
        run(
            "run",
            "--plugin",
            plugin("c-http-headers.wasm"),
            "--request-header",
            ":path=/other",
            "--verbose"));
    assertTrue(
        out()
            .matches("(?s).*host stats:\n  wasm\\.asm\\.memory_size \\(gauge\\) = [1-9][0-9]*\n.*"),
        out());
    reset();
    assertEquals(
        0, run("run", "--plugin", plugin("c-http-headers.wasm"), "--show-host-stats", "--json"));
    JsonNode stat = json().get("hostStats").get(0);
    assertEquals("wasm.asm.memory_size", stat.get("name").asText());
    assertEquals("gauge", stat.get("type").asText());
    assertTrue(stat.get("value").asLong() > 0, stat.toString());
  }

  @Test
  void textOptionsReadAtFiles(@TempDir Path dir) throws Exception {
    Path body = dir.resolve("body.txt");
    Files.writeString(body, "--not-an-option\nsecond line");
    assertEquals(
        0,
        run(
            "run",
            "--plugin",
            plugin("c-http-headers.wasm"),
            "--request-header",
            ":path=/other",
            "--request-body",
            "@" + body,
            "--response-body",
            "plain",
            "--json"));
    JsonNode r = json();
    assertEquals("--not-an-option\nsecond line", r.get("request").get("body").asText());
    assertEquals("plain", r.get("response").get("body").asText());
  }

  @Test
  void aFailingPluginExitsWithOne() throws Exception {
    assertEquals(
        1,
        run(
            "run",
            "--plugin",
            plugin("trap-in-request-headers.wasm"),
            "--request-header",
            ":path=/",
            "--json"));
    JsonNode r = json();
    assertEquals(503, r.get("localResponse").get("status").asInt());
    JsonNode failure = r.get("failure");
    assertEquals("RUNTIME_ERROR", failure.get("kind").asText());
    assertEquals("TRAP", failure.get("cause").asText());
    assertTrue(
        failure.get("message").asText().contains("proxy_on_request_headers failed"),
        failure.toString());
  }

  @Test
  void aModuleThatCannotLoadExitsWithTwoWithoutUsage() throws Exception {
    assertEquals(2, run("run", "--plugin", plugin("unknown-import.wasm")));
    assertTrue(err().startsWith("proxy-wasm: cannot load "), err());
    assertTrue(err().contains("missing import: env.proxy_does_not_exist"), err());
    assertFalse(err().contains("Usage:"), err());
    reset();
    assertEquals(2, run("run", "--plugin", plugin("unknown-import.wasm"), "--json"));
    JsonNode failure = json().get("failure");
    assertTrue(failure.get("message").asText().contains("env.proxy_does_not_exist"), out());
  }

  @Test
  void anUnknownOptionIsNamedWithTheUsageOnStderr() {
    assertEquals(2, run("run", "--plugin", plugin("c-http-headers.wasm"), "--requests", "5"));
    assertTrue(err().startsWith("proxy-wasm: Unknown option: '--requests'\n"), err());
    assertTrue(err().contains("Usage: proxy-wasm run "), err());
    assertEquals("", out());
    reset();
    assertEquals(2, run("frobnicate"));
    assertTrue(err().contains("'frobnicate'"), err());
    assertTrue(err().contains("Usage: proxy-wasm "), err());
    reset();
    assertEquals(2, run());
    assertTrue(err().startsWith("proxy-wasm: name a command: run, inspect, bench"), err());
    assertTrue(err().contains("Usage: proxy-wasm "), err());
  }

  @Test
  void badOptionValuesAreUsageErrors() {
    assertEquals(2, run("run", "--plugin", plugin("c-http-headers.wasm"), "--request-header", "x"));
    assertTrue(err().contains("'--request-header'"), err());
    assertTrue(err().contains("takes NAME=VALUE, not 'x'"), err());
    assertTrue(err().contains("Usage: proxy-wasm run "), err());
    reset();
    assertEquals(2, run("run", "--plugin", plugin("c-http-headers.wasm"), "--ticks", "-1"));
    assertTrue(err().startsWith("proxy-wasm: --ticks must not be negative: -1\n"), err());
    reset();
    assertEquals(2, run("run", "--plugin", plugin("c-http-headers.wasm"), "--stream", "udp"));
    assertTrue(err().contains("--stream"), err());
    assertTrue(err().contains("udp"), err());
    reset();
    assertEquals(
        2,
        run(
            "run",
            "--plugin",
            plugin("c-hello-world.wasm"),
            "--stream",
            "none",
            "--request-header",
            ":path=/"));
    assertTrue(
        err().startsWith("proxy-wasm: --request-header needs --stream http, not --stream none\n"),
        err());
    reset();
    assertEquals(2, run("run", "--plugin", plugin("c-hello-world.wasm"), "--downstream-data", "x"));
    assertTrue(err().contains("--downstream-data and --upstream-data need --stream tcp"), err());
    reset();
    assertEquals(2, run("run"));
    assertTrue(err().contains("--plugin"), err());
    assertTrue(err().contains("Usage: proxy-wasm run "), err());
  }

  @Test
  void unreadableInputIsSaidInWordsWithoutUsage() {
    String missing = plugin("no-such-plugin.wasm");
    assertEquals(2, run("run", "--plugin", missing));
    assertEquals("proxy-wasm: cannot read " + missing + ": no such file\n", err());
    reset();
    assertEquals(
        2, run("run", "--plugin", plugin("c-http-headers.wasm"), "--plugin-config", "@" + missing));
    assertEquals(
        "proxy-wasm: cannot read --plugin-config file " + missing + ": no such file\n", err());
    reset();
    assertEquals(2, run("inspect", missing));
    assertEquals("proxy-wasm: cannot read " + missing + ": no such file\n", err());
    reset();
    assertEquals(2, run("bench", "--plugin", missing));
    assertEquals("proxy-wasm: cannot read " + missing + ": no such file\n", err());
    reset();
    assertEquals(2, run("run", "--plugin", "java:my-plugin"));
    assertTrue(err().startsWith("proxy-wasm: no Java plugin named 'my-plugin'"), err());
    assertTrue(err().contains("built in: [hello-world, http-headers"), err());
    assertTrue(err().contains("--class-path"), err());
    assertFalse(err().contains("Usage:"), err());
    assertFalse(err().contains("Exception"), err());
  }

  @Test
  void aMissingRuntimeNamesTheArtifactToAdd() {
    ProxyWasmCommand.Env none =
        new ProxyWasmCommand.Env(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Runtimes::of);
    assertEquals(
        2,
        ProxyWasmCommand.run(
            new String[] {"run", "--plugin", plugin("c-http-headers.wasm")}, none));
    assertTrue(err().startsWith("proxy-wasm: no runtime found; available: none; "), err());
    assertTrue(err().contains("add io.proxywasm:proxy-wasm-runtime-chicory"), err());
    assertFalse(err().contains("Usage:"), err());
  }

  @Test
  void helpVersionAndCompletion() {
    assertEquals(0, run("run", "--help"));
    String help = out();
    assertTrue(help.startsWith("Usage: proxy-wasm run "), help);
    for (String option :
        new String[] {
          "--stream=http|tcp|none",
          "--downstream-data",
          "--upstream-data",
          "--class-path",
          "--ticks",
          "--verbose, --show-host-stats",
          "--json"
        }) {
      assertTrue(help.contains(option), option + " in " + help);
    }
    reset();
    assertEquals(0, run("inspect", "--help"));
    assertTrue(out().startsWith("Usage: proxy-wasm inspect "), out());
    reset();
    assertEquals(0, run("bench", "--help"));
    assertTrue(out().contains("--requests=N"), out());
    reset();
    assertEquals(0, run("--help"));
    assertTrue(out().contains("generate-completion"), out());
    reset();
    assertEquals(0, run("--version"));
    assertTrue(out().startsWith("proxy-wasm "), out());
    reset();
    assertEquals(0, run("generate-completion"));
    assertTrue(out().contains("complete -F"), out());
    assertTrue(out().contains("proxy-wasm"), out());
    assertTrue(out().contains("--downstream-data"), out());
  }

  @Test
  void runsAJavaPluginOnTheNullVm() throws Exception {
    assertEquals(
        0,
        run("run", "--plugin", "java:http-headers", "--request-header", ":path=/hello", "--json"));
    JsonNode r = json();
    assertEquals("null", r.get("runtime").asText());
    assertEquals(200, r.get("localResponse").get("status").asInt());
    assertEquals("Hello, World!\n", r.get("localResponse").get("body").asText());
    reset();
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
    r = json();
    assertTrue(r.get("localResponse").isNull(), r.toString());
    assertEquals("CONTINUE", r.get("response").get("action").asText());
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {"rust-http-headers.wasm", "cpp-http-headers.wasm"})
  void pluginsOfTheRealSdksRun(String file) throws Exception {
    assertEquals(
        0,
        run("run", "--plugin", plugin(file), "--request-header", ":path=/hello", "--json"),
        err());
    JsonNode r = json();
    assertTrue(r.get("failure").isNull(), r.toString());
    assertEquals(200, r.get("localResponse").get("status").asInt(), r.toString());
  }

  @Test
  void aRustSdkTickerAndTheGoStartUpRunWithNoStream() throws Exception {
    assertEquals(
        0,
        run(
            "run",
            "--plugin",
            plugin("rust-ticks.wasm"),
            "--stream",
            "none",
            "--ticks",
            "1",
            "--json"),
        err());
    assertTrue(messages(json()).contains("tick 1"), out());
    reset();
    assertEquals(
        0, run("run", "--plugin", plugin("go-runtime-startup.wasm"), "--stream", "none"), err());
    assertTrue(out().contains("go runtime started"), out());
  }

  @Test
  void streamNoneRunsARootOnlyPluginsTicks() throws Exception {
    assertEquals(
        0,
        run(
            "run",
            "--plugin",
            plugin("c-hello-world.wasm"),
            "--stream",
            "none",
            "--ticks",
            "2",
            "--json"));
    JsonNode r = json();
    assertEquals("none", r.get("stream").asText());
    assertEquals(2, r.get("ticks").asInt());
    assertTrue(r.get("request").isNull(), r.toString());
    assertTrue(r.get("failure").isNull(), r.toString());
    assertEquals(
        2, messages(r).stream().filter(m -> m.startsWith("It's ")).count(), messages(r).toString());
    reset();
    assertEquals(0, run("run", "--plugin", plugin("c-hello-world.wasm"), "--stream", "none"));
    assertTrue(
        out().startsWith("started the plugin (root context #1), ran 0 ticks; no stream"), out());
    assertFalse(out().contains("It's "), out());
  }

  @Test
  void metricsCarryTheirEnvoyNames() throws Exception {
    assertEquals(
        0, run("run", "--plugin", plugin("c-path-collector.wasm"), "--stream", "none", "--json"));
    JsonNode metric = json().get("metrics").get(0);
    assertEquals("wasmcustom.collected_paths", metric.get("name").asText());
    assertEquals("collected_paths", metric.get("pluginName").asText());
    assertEquals("counter", metric.get("type").asText());
    reset();
    assertEquals(0, run("run", "--plugin", plugin("c-path-collector.wasm"), "--stream", "none"));
    assertTrue(out().contains("  wasmcustom.collected_paths (counter) = 0\n"), out());
  }

  /**
   * host-tests' reference-types.wat (ABI 0.2.1; proxy_on_request_headers continues when table.get
   * reads a null funcref, traps otherwise), built with wabt's wat2wasm: a module runtime asm does
   * not support.
   */
  private static final String REFERENCE_TYPES =
      "AGFzbQEAAAABGwVgAABgAX8Bf2ACf38AYAJ/fwF/YAN/f38BfwMHBgABAgMDBAQEAXAAAQUDAQABB4sBBwZtZW1vcnkC"
          + "ABdwcm94eV9hYmlfdmVyc2lvbl8wXzJfMQAABm1hbGxvYwABF3Byb3h5X29uX2NvbnRleHRfY3JlYXRlAAIRcHJv"
          + "eHlfb25fdm1fc3RhcnQAAxJwcm94eV9vbl9jb25maWd1cmUABBhwcm94eV9vbl9yZXF1ZXN0X2hlYWRlcnMABQom"
          + "BgIACwUAQYAICwIACwQAQQELBABBAQsOAEEAJQDRRQRAAAtBAAs=";

  @Test
  void aModuleTheDefaultRuntimeRefusesRunsOnTheNext(@TempDir Path dir) throws Exception {
    Path module = dir.resolve("refs.wasm");
    Files.write(module, java.util.Base64.getDecoder().decode(REFERENCE_TYPES));
    assertEquals(0, run("run", "--plugin", module.toString(), "--json"), err());
    JsonNode r = json();
    assertEquals("chicory-compiler", r.get("runtime").asText());
    assertEquals("CONTINUE", r.get("request").get("action").asText(), r.toString());
    reset();
    assertEquals(0, run("bench", "--plugin", module.toString(), "--requests", "20", "--json"));
    assertEquals("chicory-compiler", json().get("runtime").asText());
    reset();
    assertEquals(0, run("inspect", module.toString()), out());
    assertTrue(out().contains("loadable"), out());
    reset();
    assertEquals(2, run("run", "--runtime", "asm", "--plugin", module.toString()));
    assertTrue(
        err().contains("the asm runtime does not support function 5: the instruction TABLE_GET"),
        err());
  }

  @Test
  void inspect() throws Exception {
    assertEquals(0, run("inspect", plugin("abi-0-2-1-imports.wasm"), "--json"));
    JsonNode r = json();
    assertEquals("0.2.1", r.get("abiVersion").asText());
    assertTrue(r.get("loadable").asBoolean());
    boolean found = false;
    for (JsonNode imp : r.get("imports")) {
      found |=
          imp.get("module").asText().equals("env")
              && imp.get("name").asText().equals("proxy_get_log_level");
    }
    assertTrue(found, r.toString());
    reset();
    assertEquals(2, run("inspect", plugin("abi-0-1-0-with-0-2-import.wasm")));
    assertTrue(out().contains("missing import: env.proxy_continue_stream"), out());
    reset();
    assertEquals(2, run("inspect", plugin("wrong-export-signature.wasm")));
    assertTrue(
        out()
            .contains(
                "Bad function signature for: proxy_on_request_headers, want: (i32, i32, i32) -> (i32),"
                    + " but the module exports: (i32, i32) -> (i32)"),
        out());
    reset();
    assertEquals(2, run("inspect", plugin("bad-magic.wasm"), "--json"));
    assertFalse(json().get("loadable").asBoolean());
    assertTrue(json().get("problems").get(0).asText().contains("bad magic number"), out());
  }

  @Test
  void benchTimesTheEmbedderPath() throws Exception {
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
    JsonNode r = json();
    assertEquals("asm", r.get("runtime").asText(), "the default runtime");
    assertEquals("embedder", r.get("path").asText());
    assertEquals(200, r.get("requests").asInt());
    for (String positive :
        new String[] {"perRequestNanos", "createNanos", "cloneNanos", "memoryBytes"}) {
      assertTrue(r.get(positive).asLong() > 0, positive + " in " + r);
    }
    assertTrue(
        r.get("perRequestNanosP10").asLong() <= r.get("perRequestNanos").asLong()
            && r.get("perRequestNanos").asLong() <= r.get("perRequestNanosP90").asLong(),
        r.toString());
    assertFalse(r.get("pluginFailed").asBoolean());
    reset();
    assertEquals(
        1,
        run(
            "bench",
            "--plugin",
            plugin("trap-in-request-headers.wasm"),
            "--requests",
            "20",
            "--warmup",
            "0",
            "--json"));
    assertTrue(json().get("pluginFailed").asBoolean(), out());
  }
}

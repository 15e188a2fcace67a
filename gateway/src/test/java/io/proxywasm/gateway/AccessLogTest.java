package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proxywasm.gateway.config.ConfigException;
import io.proxywasm.gateway.config.GatewaySpec;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Envoy access logs on an HTTP connection manager and on a TCP proxy, written to files over real
 * sockets, and access log configurations the gateway refuses.
 */
class AccessLogTest {
  @RegisterExtension final GatewayFixture gw = new GatewayFixture();
  @TempDir Path dir;
  private HttpServer upstream;
  private NetServer echo;

  @BeforeEach
  void start() throws Exception {
    upstream = gw.http(r -> r.response().putHeader("x-up", "yes").end("hello"));
    echo = gw.tcp(s -> s.handler(s::write));
  }

  /** The HTTP bootstrap of the tests with access logs, its cluster at the upstream. */
  private String httpYaml(String accessLog) {
    return Specs.bootstrap(upstream.actualPort(), "", accessLog);
  }

  private String file(String name) {
    return dir.resolve(name).toString();
  }

  private static String read(Path p) throws Exception {
    return Files.exists(p) ? Files.readString(p) : "";
  }

  @Test
  void httpDefaultTextAndJsonFormats() throws Exception {
    String yaml =
        httpYaml(
            """
            access_log:
              - name: envoy.access_loggers.file
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                  path: %s
              - name: envoy.access_loggers.file
                typed_config:
                  "@type": type.googleapis.com/udpa.type.v1.TypedStruct
                  type_url: type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                  value:
                    path: %s
                    log_format:
                      text_format: "%%REQ(:METHOD)%% %%REQ(:PATH)%% %%PROTOCOL%% %%RESPONSE_CODE%% %%RESPONSE_FLAGS%% %%RESPONSE_CODE_DETAILS%% %%UPSTREAM_CLUSTER%% %%ROUTE_NAME%% %%REQ(X-NONE?:AUTHORITY)%% %%RESP(X-UP)%% %%REQ(X-TEST):3%% %%REQ(X-NONE)%% 100%%%% %%START_TIME(%%Y/%%m)%%\\n"
              - name: envoy.access_loggers.file
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                  path: %s
                  log_format:
                    json_format:
                      status: "%%RESPONSE_CODE%%"
                      method: "%%REQ(:METHOD)%%"
                      sent: "%%BYTES_SENT%%"
                      missing: "%%REQ(X-NONE)%%"
                      text: "code=%%RESPONSE_CODE%%"
                      up: { host: "%%UPSTREAM_HOST%%", cluster: "%%UPSTREAM_CLUSTER%%" }
                      fixed: 5
            """
                .formatted(file("default.log"), file("text.log"), file("json.log")));
    GatewaySpec spec = Specs.parse(yaml);
    int port = gw.start(Gateway.builder(spec).concurrency(2)).port(0);
    HttpResponse<String> r = Http.get(port, "/hello", "x-test", "abcdef");
    assertEquals(200, r.statusCode());
    assertEquals("hello", r.body());

    // written by the background flush within Envoy's interval of one second, without shutdown
    Path def = dir.resolve("default.log");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (read(def).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    String defaultLine = read(def);
    Pattern envoyDefault =
        Pattern.compile(
            "\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\] \"GET /hello HTTP/1.1\" 200 -"
                + " 0 5 \\d+ \\d+ \"[^\"]*\" \"Java-http-client/[^\"]*\" \"[^\"]+\""
                + " \"127.0.0.1:"
                + port
                + "\" \"127.0.0.1:"
                + upstream.actualPort()
                + "\"\n");
    assertTrue(envoyDefault.matcher(defaultLine).matches(), defaultLine);

    gw.shutdown();
    String year = Integer.toString(java.time.LocalDate.now(java.time.ZoneOffset.UTC).getYear());
    String text = read(dir.resolve("text.log"));
    assertTrue(
        text.matches(
            "GET /hello HTTP/1.1 200 - via_upstream up - 127.0.0.1:"
                + port
                + " yes abc - 100% "
                + year
                + "/\\d\\d\n"),
        text);

    List<String> lines = read(dir.resolve("json.log")).lines().toList();
    assertEquals(1, lines.size());
    JsonNode j = new ObjectMapper().readTree(lines.get(0));
    assertTrue(j.get("status").isInt(), lines.get(0));
    assertEquals(200, j.get("status").asInt());
    assertEquals("GET", j.get("method").asText());
    assertEquals(5, j.get("sent").asLong());
    assertTrue(j.get("missing").isNull());
    assertEquals("code=200", j.get("text").asText());
    assertEquals("127.0.0.1:" + upstream.actualPort(), j.get("up").get("host").asText());
    assertEquals("up", j.get("up").get("cluster").asText());
    assertEquals(5, j.get("fixed").asInt());
  }

  @Test
  void tcpProxyWithTheRustSdkExampleAccessLog() throws Exception {
    Path log = dir.resolve("tcp.log");
    String accessLog =
        """
        access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: %s
              log_format:
                text_format: "[%%START_TIME%%] src=%%DOWNSTREAM_REMOTE_ADDRESS%% via=%%DOWNSTREAM_LOCAL_ADDRESS%% dst=%%UPSTREAM_HOST%% (%%UPSTREAM_CLUSTER%%)\\n"
        """
            .formatted(log);
    String yaml =
        Specs.staticResources(
            Specs.tcpListener("tcp", "", "echo_tcp", "echo", accessLog),
            Specs.cluster("echo", echo.actualPort()));
    int port = gw.start(Gateway.builder(Specs.parse(yaml)).concurrency(2)).port(0);
    int clientPort;
    try (Socket s = new Socket("127.0.0.1", port)) {
      clientPort = s.getLocalPort();
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write("ping\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] b = in.readNBytes(5);
      assertEquals("ping\n", new String(b, StandardCharsets.US_ASCII));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (read(log).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    String line = read(log);
    assertTrue(
        line.matches(
            "\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\] src=127.0.0.1:"
                + clientPort
                + " via=127.0.0.1:"
                + port
                + " dst=127.0.0.1:"
                + echo.actualPort()
                + " \\(echo\\)\n"),
        line);
  }

  private static final String AT =
      "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.access_log[0]";

  /** An access_log of one logger: its name and its other fields. */
  private static String accessLog(String name, String fields) {
    return "access_log:\n  - name: " + name + "\n" + fields.stripIndent().indent(4);
  }

  /** An access_log of one file logger of /tmp/x.log in this log_format. */
  private static String fileLog(String logFormat) {
    return fileLog("/tmp/x.log", "log_format: " + logFormat);
  }

  /** An access_log of one file logger of a path, with more typed_config fields. */
  private static String fileLog(String path, String fields) {
    return accessLog(
        "envoy.access_loggers.file",
        """
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
          path: %s
        """
                .formatted(path)
            + fields.indent(2));
  }

  /**
   * Access logs the gateway refuses: what its message says (all of it, or how it starts) and the
   * access_log.
   */
  static Stream<Arguments> whatItCannotLog() {
    return Stream.of(
        Arguments.of(
            AT + ".filter: access log filters are not supported",
            true,
            accessLog(
                "envoy.access_loggers.stdout",
                """
                filter: { status_code_filter: { comparison: { value: { default_value: 500 } } } }
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
                """)),
        Arguments.of(
            AT + ".name: unsupported access logger envoy.access_loggers.open_telemetry",
            false,
            accessLog("envoy.access_loggers.open_telemetry", "typed_config: {}")),
        Arguments.of(
            AT
                + ".typed_config.log_format.text_format: unsupported command operator"
                + " %UPSTREAM_TRANSPORT_FAILURE_REASON%",
            false,
            accessLog(
                "envoy.access_loggers.stderr",
                """
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StderrAccessLog
                  log_format: { text_format: "%UPSTREAM_TRANSPORT_FAILURE_REASON%\\n" }
                """)),
        Arguments.of(
            AT + ".typed_config.log_format.json_format.a: %START_TIME(%Q)%",
            false,
            fileLog("{ json_format: { a: \"%START_TIME(%Q)%\" } }")),
        Arguments.of(
            AT + ".typed_config.log_format.text_format: the % at offset 2",
            false,
            fileLog("{ text_format: \"a %b\" }")),
        Arguments.of(
            AT + ".typed_config.log_format.omit_empty_values: unknown field",
            false,
            fileLog("{ omit_empty_values: true }")),
        Arguments.of(
            AT + ".typed_config.@type: expected",
            false,
            accessLog(
                "envoy.access_loggers.file",
                """
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
                """)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("whatItCannotLog")
  void refusesWhatItCannotLog(String expected, boolean whole, String accessLog) {
    String e = Specs.refusal(httpYaml(accessLog));
    if (whole) {
      assertEquals(expected, e);
    } else {
      assertTrue(e.startsWith(expected), e);
    }
  }

  @Test
  void aFileThatCannotBeOpenedIsAStartupError() throws Exception {
    String missing = dir.resolve("no/such/dir/a.log").toString();
    GatewaySpec spec = Specs.parse(httpYaml(fileLog(missing, "")));
    String m =
        assertThrows(ConfigException.class, () -> Gateway.builder(spec).concurrency(1).start())
            .getMessage();
    assertTrue(m.startsWith(AT + ".typed_config.path: cannot open " + missing), m);
  }
}

package io.proxywasm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.spi.WasmVmProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --class-path}: a Java plugin compiled by the test into a jar that is not on the command's
 * class path runs by name and by class name, over HTTP and TCP; without the jar, the error says the
 * class path may be the cause.
 */
class ClassPathPluginTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A network filter that upper-cases what the client sends and holds what the server sends; as an
   * HTTP filter it adds a response header.
   */
  private static final String SHOUTER =
      String.join(
          "\n",
          "package test.plugins;",
          "import io.proxywasm.sdk.*;",
          "public final class Shouter implements JavaPlugin {",
          "  public Shouter() {}",
          "  @Override public String name() { return \"shouter\"; }",
          "  @Override public RootContext newRootContext() {",
          "    return new RootContext() {",
          "      @Override public boolean onVmStart(int size) {",
          "        logInfo(\"shouter ready\");",
          "        return true;",
          "      }",
          "      @Override public void onTick() { logInfo(\"shouter tick\"); }",
          "      @Override public HttpContext newHttpContext(int id) {",
          "        return new HttpContext() {",
          "          @Override public Action onResponseHeaders(int headers, boolean end) {",
          "            responseHeaders().set(\"x-shouter\", \"HEARD\");",
          "            return Action.CONTINUE;",
          "          }",
          "        };",
          "      }",
          "      @Override public StreamContext newStreamContext(int id) {",
          "        return new StreamContext() {",
          "          @Override public Action onDownstreamData(int size, boolean end) {",
          "            String text = downstreamData().text();",
          "            downstreamData().replaceAll(",
          "                text.toUpperCase(java.util.Locale.ROOT).getBytes(",
          "                    java.nio.charset.StandardCharsets.UTF_8));",
          "            logInfo(\"shouted \" + text);",
          "            return Action.CONTINUE;",
          "          }",
          "          @Override public Action onUpstreamData(int size, boolean end) {",
          "            return Action.PAUSE;",
          "          }",
          "        };",
          "      }",
          "    };",
          "  }",
          "}",
          "");

  @TempDir static Path dir;

  /** The plugin, registered in META-INF/services. */
  static Path jar;

  /** The plugin as a modular jar, registered only by its module-info's provides. */
  static Path modularJar;

  @BeforeAll
  static void buildThePluginJars() throws IOException {
    Path src = dir.resolve("src/test/plugins/Shouter.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, SHOUTER);
    String path =
        String.join(File.pathSeparator, location(JavaPlugin.class), location(WasmVmProvider.class));
    Path classes = dir.resolve("classes");
    javac("-cp", path, "-d", classes.toString(), src.toString());
    jar = dir.resolve("shouter.jar");
    writeJar(jar, classes, true);

    Path moduleInfo = dir.resolve("src/module-info.java");
    Files.writeString(
        moduleInfo,
        "module test.shouter { requires io.proxywasm.sdk;"
            + " provides io.proxywasm.sdk.JavaPlugin with test.plugins.Shouter; }");
    Path moduleClasses = dir.resolve("module-classes");
    javac(
        "--module-path",
        path,
        "-d",
        moduleClasses.toString(),
        moduleInfo.toString(),
        src.toString());
    modularJar = dir.resolve("modular/shouter.jar");
    Files.createDirectories(modularJar.getParent());
    writeJar(modularJar, moduleClasses, false);
  }

  private static void javac(String... args) {
    ToolProvider javac =
        ToolProvider.findFirst("javac").orElseThrow(() -> new AssertionError("no javac"));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream logStream = new PrintStream(log, true, StandardCharsets.UTF_8);
    List<String> all = new ArrayList<>(List.of("--release", "17", "-proc:none"));
    all.addAll(List.of(args));
    int status = javac.run(logStream, logStream, all.toArray(String[]::new));
    assertEquals(0, status, log.toString(StandardCharsets.UTF_8));
  }

  private static void writeJar(Path jar, Path classes, boolean serviceFile) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        out.write(Files.readAllBytes(f));
        out.closeEntry();
      }
      if (serviceFile) {
        out.putNextEntry(new JarEntry("META-INF/services/" + JavaPlugin.class.getName()));
        out.write("test.plugins.Shouter\n".getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
  }

  @Test
  void findsAPluginAModularJarProvides() throws Exception {
    assertEquals(
        0,
        run(
            "run",
            "--class-path",
            modularJar.toString(),
            "--plugin",
            "java:shouter",
            "--stream",
            "tcp",
            "--downstream-data",
            "modular",
            "--json"));
    JsonNode chunk = JSON.readTree(out()).get("tcp").get("chunks").get(0);
    assertEquals("MODULAR", chunk.get("data").asText(), out());
  }

  private static String location(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
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
  void theTestPluginIsNotOnTheCommandsOwnClassPath() {
    assertEquals(2, run("run", "--plugin", "java:shouter"));
    assertTrue(err().startsWith("proxy-wasm: no Java plugin named 'shouter'"), err());
    assertTrue(err().contains("none was given: `java -jar` ignores -cp"), err());
    assertTrue(err().contains("--class-path PATH"), err());
  }

  @Test
  void runsAPluginFromTheClassPathOverTcp() throws Exception {
    assertEquals(
        0,
        run(
            "run",
            "--class-path",
            jar.toString(),
            "--plugin",
            "java:shouter",
            "--stream",
            "tcp",
            "--downstream-data",
            "hello",
            "--downstream-data",
            "again",
            "--upstream-data",
            "reply",
            "--json"));
    JsonNode r = JSON.readTree(out());
    assertEquals("null", r.get("runtime").asText());
    assertEquals("tcp", r.get("stream").asText());
    assertTrue(r.get("request").isNull(), r.toString());
    JsonNode tcp = r.get("tcp");
    assertEquals("CONTINUE", tcp.get("newConnection").asText());
    JsonNode chunks = tcp.get("chunks");
    assertEquals(3, chunks.size(), chunks.toString());
    assertEquals(
        List.of("downstream", "hello", "CONTINUE", "HELLO"), chunk(chunks.get(0)), r.toString());
    assertEquals(List.of("downstream", "again", "CONTINUE", "AGAIN"), chunk(chunks.get(1)));
    assertEquals(List.of("upstream", "reply", "STOP_ITERATION", "reply"), chunk(chunks.get(2)));
    assertTrue(r.get("failure").isNull(), r.toString());
    assertTrue(r.get("logs").toString().contains("shouted hello"), r.toString());
  }

  private static List<String> chunk(JsonNode c) {
    return List.of(
        c.get("direction").asText(),
        c.get("sent").asText(),
        c.get("action").asText(),
        c.get("data").asText());
  }

  @Test
  void tcpTextShowsEachChunk() {
    assertEquals(
        0,
        run(
            "run",
            "--class-path",
            jar.toString(),
            "--plugin",
            "java:test.plugins.Shouter",
            "--stream",
            "tcp",
            "--downstream-data",
            "hi"));
    assertTrue(out().startsWith("new connection: CONTINUE\n"), out());
    assertTrue(out().contains("downstream data \"hi\": CONTINUE, now \"HI\"\n"), out());
  }

  @Test
  void runsAPluginFromTheClassPathWithTicksAndNoStream() throws Exception {
    assertEquals(
        0,
        run(
            "run",
            "--class-path",
            jar.toString(),
            "--plugin",
            "java:shouter",
            "--stream",
            "none",
            "--ticks",
            "1",
            "--json"));
    JsonNode r = JSON.readTree(out());
    assertEquals(1, r.get("ticks").asInt());
    assertTrue(r.get("logs").toString().contains("shouter tick"), r.toString());
  }

  @Test
  void runsAPluginFromTheClassPathByClassNameOverHttp() throws Exception {
    assertEquals(
        0,
        run(
            "run",
            "--class-path",
            jar.toString(),
            "--plugin",
            "java:test.plugins.Shouter",
            "--request-header",
            ":path=/",
            "--json"));
    JsonNode headers = JSON.readTree(out()).get("response").get("headers");
    assertTrue(headers.toString().contains("[\"x-shouter\",\"HEARD\"]"), headers.toString());
  }

  @Test
  void aBrokenRegistrationIsLeftOutAndNamedWithoutHidingTheOthers() throws IOException {
    Path broken = dir.resolve("broken.jar");
    try (OutputStream file = Files.newOutputStream(broken);
        JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry("META-INF/services/" + JavaPlugin.class.getName()));
      out.write("test.plugins.Missing\n".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    String classPath = jar + File.pathSeparator + broken;
    assertEquals(
        0,
        run(
            "run",
            "--class-path",
            classPath,
            "--plugin",
            "java:shouter",
            "--stream",
            "tcp",
            "--downstream-data",
            "still",
            "--json"),
        err());
    assertEquals(
        "STILL", JSON.readTree(out()).get("tcp").get("chunks").get(0).get("data").asText(), out());
    assertEquals(2, run("run", "--class-path", classPath, "--plugin", "java:whisperer"));
    assertTrue(err().contains("from --class-path: [shouter]"), err());
    assertTrue(err().contains("; left out: "), err());
    assertTrue(err().contains("test.plugins.Missing"), err());
  }

  @Test
  void aMissingClassPathEntryIsSaidInWords() {
    Path missing = dir.resolve("missing.jar");
    assertEquals(
        2,
        run("run", "--class-path", jar + File.pathSeparator + missing, "--plugin", "java:shouter"));
    assertEquals("proxy-wasm: cannot read class path entry " + missing + ": no such file\n", err());
  }

  @Test
  void aClassPathWithoutPluginsIsNamedAsTheLikelyCause() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertEquals(2, run("run", "--class-path", empty.toString(), "--plugin", "java:shouter"));
    assertTrue(err().contains("none came from --class-path " + empty), err());
    assertTrue(err().contains("the class path may be the cause"), err());
    assertFalse(err().contains("Usage:"), err());
    assertEquals(2, run("run", "--class-path", jar.toString(), "--plugin", "java:whisperer"));
    assertTrue(err().contains("from --class-path: [shouter]"), err());
  }

  @Test
  void benchRunsAPluginFromTheClassPath() throws Exception {
    assertEquals(
        0,
        run(
            "bench",
            "--class-path",
            jar.toString(),
            "--plugin",
            "java:shouter",
            "--requests",
            "40",
            "--warmup",
            "0",
            "--json"));
    JsonNode r = JSON.readTree(out());
    assertEquals("null", r.get("runtime").asText());
    assertFalse(r.get("pluginFailed").asBoolean(), r.toString());
  }
}

package io.proxywasm.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java block of README.md and docs/*.md compiles, and every Maven block names artifacts and
 * versions that exist. A Java block is one of three kinds, told by the line above it:
 *
 * <ul>
 *   <li>{@code <!-- compiled: PATH -->}: the whole file PATH of this repository, shown as it is;
 *       the block must equal the file, which its module's build compiles (and, for a test, runs);
 *   <li>{@code <!-- fragment: PARAMETERS -->}: statements, after their imports; compiled here as
 *       the body of a method taking PARAMETERS ({@code Type name, ...}, or nothing), which stand
 *       for what the surrounding text has in hand;
 *   <li>no marker: a whole compilation unit (imports and types), compiled here as it is.
 * </ul>
 *
 * <p>A block that does not compile fails this test with javac's message and the page and line of
 * the block, so a new block cannot slip in untested.
 */
class DocSnippetsTest {
  private static final Path REPO =
      Path.of(System.getProperty("proxywasm.plugins.dir", "../../plugins"))
          .toAbsolutePath()
          .normalize()
          .getParent();
  private static final Pattern FENCE =
      Pattern.compile("(?m)^```(java|xml)\\n(.*?)^```$", Pattern.DOTALL);
  private static final Pattern MARKER = Pattern.compile("<!-- (compiled|fragment):(.*?)-->");
  private static final Pattern TYPE =
      Pattern.compile(
          "(?m)^(?:public |final |abstract |sealed )*(?:class|interface|record|enum|@interface)"
              + " (\\w+)");

  /** A fenced block of a page. */
  record Block(Path page, int line, String language, String marker, String text) {
    String where() {
      return REPO.relativize(page) + ":" + line;
    }

    /** A Java package name unique to this block. */
    String packageName() {
      String name =
          REPO.relativize(page).toString().replaceAll("\\.md$", "").replaceAll("[^A-Za-z0-9]", "_");
      return "docsnippets." + name.toLowerCase(Locale.ROOT) + "_line" + line;
    }
  }

  static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(REPO.resolve("README.md"));
    try (Stream<Path> docs = Files.list(REPO.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  static List<Block> blocks(String language) throws IOException {
    List<Block> blocks = new ArrayList<>();
    for (Path page : pages()) {
      String text = Files.readString(page, StandardCharsets.UTF_8);
      Matcher m = FENCE.matcher(text);
      while (m.find()) {
        if (!m.group(1).equals(language)) {
          continue;
        }
        int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
        String before = text.substring(0, m.start()).stripTrailing();
        String lastLine = before.substring(before.lastIndexOf('\n') + 1);
        Matcher marker = MARKER.matcher(lastLine);
        blocks.add(
            new Block(
                page, line, language, marker.matches() ? lastLine.strip() : null, m.group(2)));
      }
    }
    return blocks;
  }

  /** A source file in memory. */
  private static final class Source extends SimpleJavaFileObject {
    final Block block;
    final String code;

    Source(Block block, String typeName, String code) {
      super(
          URI.create(
              "string:///" + block.packageName().replace('.', '/') + "/" + typeName + ".java"),
          Kind.SOURCE);
      this.block = block;
      this.code = code;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return code;
    }
  }

  /** The block as a compilation unit in its own package; null for blocks shown from a file. */
  static Source source(Block block) {
    if (block.marker() == null) {
      Matcher type = TYPE.matcher(block.text());
      String name = type.find() ? type.group(1) : "Snippet";
      return new Source(block, name, "package " + block.packageName() + "; " + block.text());
    }
    Matcher marker = MARKER.matcher(block.marker());
    assertTrue(marker.matches(), block.marker());
    if (marker.group(1).equals("compiled")) {
      return null;
    }
    // Each line stays on its line, so that javac's line numbers are the page's.
    StringBuilder code = new StringBuilder("package " + block.packageName() + "; ");
    boolean inBody = false;
    for (String line : block.text().split("\n", -1)) {
      if (!inBody && !line.isBlank() && !line.startsWith("import ")) {
        inBody = true;
        code.append("class Fragment { void run(")
            .append(marker.group(2).strip())
            .append(") throws Exception { ");
      }
      code.append(line).append('\n');
    }
    code.append("}}\n");
    return new Source(block, "Fragment", code.toString());
  }

  @Test
  void everyJavaBlockCompiles(@TempDir Path out) throws IOException {
    List<Block> blocks = blocks("java");
    assertTrue(blocks.size() > 20, "found only " + blocks.size() + " Java blocks");
    List<String> problems = new ArrayList<>();
    List<Source> sources = new ArrayList<>();
    for (Block block : blocks) {
      if (!block.text().contains("import ")) {
        problems.add(block.where() + ": the block shows no imports");
      }
      Source source = source(block);
      if (source != null) {
        sources.add(source);
        continue;
      }
      String path = MARKER.matcher(block.marker()).replaceAll("$2").strip();
      Path file = REPO.resolve(path);
      if (!Files.isRegularFile(file)) {
        problems.add(block.where() + ": " + path + " does not exist");
      } else if (!Files.readString(file, StandardCharsets.UTF_8).equals(block.text())) {
        problems.add(block.where() + ": the block differs from " + path);
      }
    }
    problems.addAll(compile(sources, out));
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
  }

  /** Compiles the sources against this module's test class path; the problems, by page line. */
  static List<String> compile(List<Source> sources, Path out) {
    List<String> problems = new ArrayList<>();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    String classPath =
        Stream.of(System.getProperty("java.class.path"), System.getProperty("jdk.module.path"))
            .filter(s -> s != null && !s.isEmpty())
            .collect(Collectors.joining(File.pathSeparator));
    StringWriter output = new StringWriter();
    boolean compiled =
        javac
            .getTask(
                output,
                null,
                diagnostics,
                List.of(
                    "--release",
                    "17",
                    "-proc:none",
                    "-Xlint:all,-serial",
                    "-Werror",
                    "-classpath",
                    classPath,
                    "-d",
                    out.toString()),
                null,
                sources)
            .call();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getSource() instanceof Source) {
        Block block = ((Source) d.getSource()).block;
        problems.add(
            REPO.relativize(block.page())
                + ":"
                + (block.line() + d.getLineNumber())
                + ": "
                + d.getKind().toString().toLowerCase(Locale.ROOT)
                + ": "
                + d.getMessage(Locale.ROOT));
      } else {
        problems.add(d.toString());
      }
    }
    if (!compiled && problems.isEmpty()) {
      problems.add("javac failed: " + output);
    }
    return problems;
  }

  @Test
  void aBlockThatDoesNotCompileIsNamedByItsPageAndLine(@TempDir Path out) {
    Path page = REPO.resolve("docs/example.md");
    Block unit =
        new Block(
            page,
            10,
            "java",
            null,
            "import java.util.List;\n\nclass Bad {\n  List<String> x = 1;\n}\n");
    Block fragment =
        new Block(
            page,
            40,
            "java",
            "<!-- fragment: String name -->",
            "import java.util.List;\n\nList<String> names = List.of(name);\nint n = names;\n");
    List<String> problems = compile(List.of(source(unit), source(fragment)), out);
    assertEquals(2, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("docs/example.md:14: error: "), problems.get(0));
    assertTrue(problems.get(1).startsWith("docs/example.md:44: error: "), problems.get(1));
  }

  private static final Pattern DEPENDENCY =
      Pattern.compile(
          "<(?:dependency|path|plugin)>\\s*(?:<!--.*?-->\\s*)?<groupId>([^<]+)</groupId>\\s*<artifactId>([^<]+)</artifactId>"
              + "(?:\\s*<version>([^<]+)</version>)?",
          Pattern.DOTALL);

  @Test
  void everyMavenBlockNamesArtifactsOfThisBuildAtItsVersions() throws IOException {
    String bom = Files.readString(REPO.resolve("bom/pom.xml"), StandardCharsets.UTF_8);
    List<String> problems = new ArrayList<>();
    int dependencies = 0;
    for (Block block : blocks("xml")) {
      Matcher m = DEPENDENCY.matcher(block.text());
      while (m.find()) {
        dependencies++;
        String group = m.group(1);
        String artifact = m.group(2);
        String version = m.group(3);
        if (group.equals("io.proxywasm")
            && !bom.contains("<artifactId>" + artifact + "</artifactId>")) {
          problems.add(block.where() + ": " + artifact + " is not an artifact of bom/pom.xml");
        }
        if (version != null) {
          String expected = System.getProperty("docs.version." + group);
          if (expected == null) {
            problems.add(block.where() + ": " + group + " has a version no build property pins");
          } else if (!expected.equals(version)) {
            problems.add(
                block.where()
                    + ": "
                    + group
                    + ":"
                    + artifact
                    + " at "
                    + version
                    + ", not "
                    + expected);
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
    assertTrue(dependencies > 20, "found only " + dependencies + " dependencies");
  }

  @Test
  void everyPageStartsWithItsDependencies() throws IOException {
    List<String> missing = new ArrayList<>();
    for (Path page : pages()) {
      if (page.getFileName().toString().equals("README.md")) {
        continue;
      }
      String text = Files.readString(page, StandardCharsets.UTF_8);
      int firstSection = text.indexOf("\n## ");
      String top = firstSection < 0 ? text : text.substring(0, firstSection);
      if (!top.contains("<artifactId>proxy-wasm-bom</artifactId>")) {
        missing.add(REPO.relativize(page).toString());
      }
    }
    assertEquals(List.of(), missing, "pages whose top has no dependency block importing the BOM");
  }
}

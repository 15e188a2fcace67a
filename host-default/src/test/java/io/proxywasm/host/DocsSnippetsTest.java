package io.proxywasm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The code in docs/embedding.md is the code of {@link EmbeddingExample}, and it runs. */
class DocsSnippetsTest {
  private static Path root() {
    return Path.of(System.getProperty("proxywasm.plugins.dir", "../plugins")).getParent();
  }

  private static String between(String text, String start, String end) {
    int s = text.indexOf(start);
    int e = text.indexOf(end, s);
    assertTrue(s >= 0 && e > s, "markers " + start + " / " + end);
    return text.substring(
        text.indexOf('\n', s + start.length() - 1) + 1, text.lastIndexOf('\n', e) + 1);
  }

  private static String dedent(String block) {
    int indent = Integer.MAX_VALUE;
    for (String line : block.split("\n")) {
      if (!line.isBlank()) {
        indent = Math.min(indent, line.length() - line.stripLeading().length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String line : block.split("\n")) {
      sb.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    }
    return sb.toString();
  }

  @Test
  void embeddingGuideShowsTheTestedExample() throws Exception {
    String source =
        Files.readString(
            root().resolve("host-default/src/test/java/io/proxywasm/host/EmbeddingExample.java"),
            StandardCharsets.UTF_8);
    String doc = Files.readString(root().resolve("docs/embedding.md"), StandardCharsets.UTF_8);
    assertEquals(
        dedent(between(source, "// tag::example[]", "// end::example[]")),
        between(doc, "<!-- example:start -->\n```java", "```\n<!-- example:end -->"));
  }

  @Test
  void exampleRuns(@TempDir Path dir) throws Exception {
    Path wasm = dir.resolve("recorder.wasm");
    Files.write(wasm, TestSupport.wat("recorder.wat"));
    assertEquals(200, EmbeddingExample.handle(wasm, "/"));
  }
}

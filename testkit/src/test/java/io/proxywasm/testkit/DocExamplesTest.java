package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/testing-plugins.md shows whole test files of this module, each under a {@code <!-- compiled:
 * PATH -->} line: every Java block of the page must be one, equal to the file, so that every
 * example on the page compiles and passes.
 */
class DocExamplesTest {
  private static final Path REPO =
      Path.of(System.getProperty("proxywasm.plugins.dir", "../plugins"))
          .toAbsolutePath()
          .normalize()
          .getParent();
  private static final Pattern BLOCK =
      Pattern.compile("(?:<!-- compiled: (\\S+) -->\\n\\n)?```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyJavaBlockOfThePageIsATestFileOfTheBuild() throws IOException {
    String page = Files.readString(REPO.resolve("docs/testing-plugins.md"));
    Matcher m = BLOCK.matcher(page);
    List<String> problems = new ArrayList<>();
    Set<String> shown = new TreeSet<>();
    int blocks = 0;
    while (m.find()) {
      blocks++;
      String path = m.group(1);
      if (path == null) {
        problems.add(
            "a Java block at offset " + m.start() + " has no <!-- compiled: PATH --> line above");
        continue;
      }
      shown.add(path);
      Path file = REPO.resolve(path);
      if (!Files.isRegularFile(file)) {
        problems.add(path + " does not exist");
        continue;
      }
      String source = Files.readString(file);
      if (!source.equals(m.group(2))) {
        problems.add(path + " differs from the page; the file is, in full:\n" + source);
      }
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n\n", problems));
    }
    assertTrue(blocks > 10, "found only " + blocks + " Java blocks");

    Path examples = REPO.resolve("testkit/src/test/java/io/proxywasm/testkit/examples");
    try (Stream<Path> files = Files.list(examples)) {
      Set<String> all =
          files
              .map(f -> REPO.relativize(f).toString().replace('\\', '/'))
              .collect(Collectors.toCollection(TreeSet::new));
      all.removeAll(shown);
      assertEquals(Set.of(), all, "examples the page does not show");
    }
  }
}

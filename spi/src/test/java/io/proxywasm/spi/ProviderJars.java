package io.proxywasm.spi;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/** Compiles provider sources into a jar at test time, so discovery sees a real, separate jar. */
final class ProviderJars {
  private ProviderJars() {}

  /**
   * Compiles the sources and packs them with the given extra resources.
   *
   * @param dir a scratch directory
   * @param sources file name (relative, e.g. {@code t/Good.java}) to source text
   * @param resources jar entry name to text
   * @return the jar
   */
  static Path build(Path dir, Map<String, String> sources, Map<String, String> resources)
      throws IOException {
    Path src = Files.createDirectories(dir.resolve("src"));
    Path out = Files.createDirectories(dir.resolve("classes"));
    List<String> args = new ArrayList<>();
    Path spi = Path.of(location());
    boolean modular = sources.containsKey("module-info.java");
    args.addAll(List.of(modular ? "--module-path" : "--class-path", spi.toString()));
    args.addAll(List.of("-d", out.toString(), "--release", "17", "-proc:none"));
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path file = src.resolve(e.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, e.getValue());
      args.add(file.toString());
    }
    ToolProvider javac =
        ToolProvider.findFirst("javac")
            .orElseThrow(() -> new IllegalStateException("these tests need a JDK with javac"));
    int rc = javac.run(System.out, System.err, args.toArray(String[]::new));
    if (rc != 0) {
      throw new IllegalStateException("javac failed with " + rc + " for " + args);
    }
    Path jar = dir.resolve("providers.jar");
    try (OutputStream os = Files.newOutputStream(jar);
        JarOutputStream jos = new JarOutputStream(os);
        Stream<Path> files = Files.walk(out)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        jos.putNextEntry(new JarEntry(out.relativize(f).toString().replace('\\', '/')));
        jos.write(Files.readAllBytes(f));
        jos.closeEntry();
      }
      for (Map.Entry<String, String> e : resources.entrySet()) {
        jos.putNextEntry(new JarEntry(e.getKey()));
        jos.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        jos.closeEntry();
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return jar;
  }

  private static java.net.URI location() {
    try {
      return WasmVmProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Returns the source of a provider class in package {@code t}.
   *
   * @param simpleName the class name
   * @param body the class body
   * @return the source text
   */
  static String provider(String simpleName, String body) {
    return "package t;\n"
        + "public final class "
        + simpleName
        + " implements io.proxywasm.spi.WasmVmProvider {\n"
        + body
        + "\n  @Override public io.proxywasm.spi.WasmVm create("
        + "io.proxywasm.spi.WasmVmIntegration i) {\n"
        + "    throw new UnsupportedOperationException(\"discovery test provider\");\n  }\n}\n";
  }
}

package io.proxywasm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins every module's descriptor: what it exports, requires, uses and provides. A change to a
 * module-info must change the expected file under {@code module-descriptors/} in the same commit.
 */
class ModuleDescriptorsTest {

  /** Every module of the project, by name. */
  static List<String> modules() {
    return List.of(
        "io.proxywasm.spi",
        "io.proxywasm.host",
        "io.proxywasm.chicory",
        "io.proxywasm.sdk",
        "io.proxywasm.nullvm",
        "io.proxywasm.envoy",
        "io.proxywasm.micrometer",
        "io.proxywasm.remote",
        "io.proxywasm.testkit",
        "io.proxywasm.examples",
        "io.proxywasm.gateway",
        "io.proxywasm.cli");
  }

  @ParameterizedTest
  @MethodSource("modules")
  void descriptorIsAsExpected(String module) throws IOException {
    assertEquals(expected(module), describe(find(module).descriptor()), module);
  }

  /**
   * Every service a module provides is registered under {@code META-INF/services} too (for the
   * class path), with the same classes, and nothing else is: {@code @AutoService} writes those
   * files, and no file is written by hand.
   */
  @ParameterizedTest
  @MethodSource("modules")
  void serviceFilesAreTheProvides(String module) throws IOException {
    ModuleReference ref = find(module);
    Map<String, Set<String>> provides = new TreeMap<>();
    for (ModuleDescriptor.Provides p : ref.descriptor().provides()) {
      provides.put(p.service(), new TreeSet<>(p.providers()));
    }
    Map<String, Set<String>> files = new TreeMap<>();
    String prefix = "META-INF/services/";
    try (ModuleReader reader = ref.open()) {
      List<String> names =
          reader.list().filter(n -> n.startsWith(prefix) && !n.endsWith("/")).toList();
      for (String name : names) {
        Set<String> classes = new TreeSet<>();
        try (InputStream in = reader.open(name).orElseThrow()) {
          for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String entry = line.replaceAll("#.*", "").strip();
            if (!entry.isEmpty()) {
              classes.add(entry);
            }
          }
        }
        files.put(name.substring(prefix.length()), classes);
      }
    }
    assertEquals(provides, files, module + ": META-INF/services against provides");
  }

  private static ModuleReference find(String module) {
    List<Path> entries = new ArrayList<>();
    for (String property : new String[] {"jdk.module.path", "java.class.path"}) {
      String value = System.getProperty(property);
      if (value != null && !value.isEmpty()) {
        for (String entry : value.split(File.pathSeparator)) {
          entries.add(Path.of(entry));
        }
      }
    }
    return ModuleFinder.of(entries.toArray(Path[]::new))
        .find(module)
        .or(
            () ->
                ModuleLayer.boot()
                    .configuration()
                    .findModule(module)
                    .map(java.lang.module.ResolvedModule::reference))
        .orElseThrow(() -> new AssertionError("module " + module + " is not on the test path"));
  }

  /** The descriptor as sorted lines, in the form of {@code jar --describe-module}. */
  static String describe(ModuleDescriptor d) {
    Stream<String> lines =
        Stream.of(
                d.exports().stream()
                    .map(
                        e ->
                            "exports "
                                + e.source()
                                + (e.isQualified()
                                    ? " to "
                                        + String.join(", ", new java.util.TreeSet<>(e.targets()))
                                    : "")),
                d.opens().stream().map(o -> "opens " + o.source()),
                d.requires().stream()
                    .filter(r -> !r.name().equals("java.base"))
                    .map(
                        r ->
                            "requires "
                                + r.modifiers().stream()
                                    .filter(m -> m != ModuleDescriptor.Requires.Modifier.MANDATED)
                                    .map(m -> m.name().toLowerCase(java.util.Locale.ROOT) + " ")
                                    .sorted()
                                    .collect(Collectors.joining())
                                + r.name()),
                d.uses().stream().map(u -> "uses " + u),
                d.provides().stream()
                    .map(
                        p ->
                            "provides "
                                + p.service()
                                + " with "
                                + String.join(", ", p.providers())))
            .flatMap(s -> s);
    return lines.sorted().collect(Collectors.joining("\n", "", "\n"));
  }

  private static String expected(String module) throws IOException {
    String resource = "/module-descriptors/" + module + ".txt";
    try (InputStream in = ModuleDescriptorsTest.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new AssertionError("missing expected descriptor " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}

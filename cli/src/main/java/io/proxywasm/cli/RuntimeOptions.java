package io.proxywasm.cli;

import picocli.CommandLine.Option;

/**
 * The options of every command that loads a plugin and reports on it ({@code run}, {@code bench},
 * {@code inspect}): the runtime and JSON output. A picocli mixin.
 */
final class RuntimeOptions {
  @Option(
      names = "--runtime",
      paramLabel = "NAME",
      description =
          "The runtime: chicory-compiler, chicory or null. Default: the best one for the plugin.")
  String runtime;

  @Option(names = "--json", description = "Prints the result as JSON.")
  boolean json;

  RuntimeOptions() {}
}

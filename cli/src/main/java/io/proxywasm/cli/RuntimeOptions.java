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
          "The runtime: asm, chicory-compiler, chicory or null. Default: the best one for the"
              + " plugin (asm; chicory-compiler for a module asm does not support).")
  String runtime;

  @Option(names = "--json", description = "Prints the result as JSON.")
  boolean json;

  RuntimeOptions() {}
}

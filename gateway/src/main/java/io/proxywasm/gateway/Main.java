package io.proxywasm.gateway;

import picocli.CommandLine;

/**
 * Runs {@code serve} on its own: {@code java -m io.proxywasm.gateway/io.proxywasm.gateway.Main
 * --plugin ...}.
 */
public final class Main {
  private Main() {}

  /**
   * Runs the command and exits with its status.
   *
   * @param args the arguments of {@code serve}
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new ServeCommand()).execute(args));
  }
}

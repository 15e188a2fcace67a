package io.proxywasm.cli;

import io.proxywasm.spi.ProviderLookupException;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmVmProvider;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code proxy-wasm} command: {@code run} sends one HTTP exchange (or TCP data, or nothing)
 * through a plugin and prints what it did, {@code inspect} checks whether this host can load a
 * module, {@code bench} measures what a plugin costs on the embedder path.
 *
 * <p>Exit status: 0 success, 1 the plugin failed while running, 2 bad usage (with the usage on
 * stderr) or an input that cannot be used (a file that cannot be read, a module that cannot load;
 * the reason in words, no usage).
 *
 * <p>A subcommand from another module is one more class in {@code subcommands} below, or {@code
 * commandLine(env).addSubcommand(new ServeCommand())}. A subcommand class with a constructor taking
 * an {@link Env} gets the command's streams and runtimes; any other is created by picocli's default
 * factory.
 */
@Command(
    name = "proxy-wasm",
    mixinStandardHelpOptions = true,
    versionProvider = ProxyWasmCommand.Version.class,
    synopsisSubcommandLabel = "COMMAND",
    description =
        "Runs, inspects and benchmarks proxy-wasm plugins on the JVM, and serves them as a"
            + " gateway.",
    subcommands = {
      RunCommand.class,
      InspectCommand.class,
      BenchCommand.class,
      io.proxywasm.gateway.ServeCommand.class,
      AutoComplete.GenerateCompletion.class
    },
    footer = {
      "",
      "'proxy-wasm COMMAND --help' lists a command's options.",
      "Exit status: 0 ok, 1 the plugin failed, 2 bad usage or unusable input."
    })
public final class ProxyWasmCommand {

  ProxyWasmCommand() {}

  /**
   * Runs the command and exits with its status.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    String level = System.getenv(CommandLogging.LEVEL_VARIABLE);
    if (level != null && !level.isBlank()) {
      // SLF4J (the host's own loggers, slf4j-simple here) reads it when its first logger is made.
      String simple = level.trim().toLowerCase(java.util.Locale.ROOT);
      System.setProperty(
          "org.slf4j.simpleLogger.defaultLogLevel", simple.equals("warning") ? "warn" : simple);
    }
    System.exit(run(args, System.out, System.err));
  }

  /**
   * What the subcommands share: where output and errors go, and how runtimes are found.
   *
   * @param out where results go
   * @param err where errors and usage go
   * @param runtimes finds the runtimes (discovery; tests pass a fixed set)
   */
  record Env(PrintStream out, PrintStream err, Supplier<Runtimes> runtimes) {}

  /**
   * Runs the command.
   *
   * @param args the command line
   * @param out where results go
   * @param err where errors go
   * @return the exit status
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, new Env(out, err, Runtimes::discover));
  }

  static int run(String[] args, Env env) {
    CommandLine commandLine = commandLine(env);
    try {
      CommandLogging.install(env.err(), System.getenv(CommandLogging.LEVEL_VARIABLE));
      return commandLine.execute(args);
    } catch (CommandFailure e) {
      return failure(e, commandLine.getErr());
    } finally {
      commandLine.getOut().flush();
      commandLine.getErr().flush();
    }
  }

  /**
   * The command line with its subcommands, streams and error handling.
   *
   * @param env the streams and runtimes
   * @return the command line, ready to execute
   */
  static CommandLine commandLine(Env env) {
    CommandLine commandLine = new CommandLine(new ProxyWasmCommand(), new Factory(env));
    commandLine.setOut(new PrintWriter(env.out(), true, StandardCharsets.UTF_8));
    commandLine.setErr(new PrintWriter(env.err(), true, StandardCharsets.UTF_8));
    commandLine.setParameterExceptionHandler(ProxyWasmCommand::usageError);
    commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> failure(e, cl.getErr()));
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setUsageHelpWidth(100);
    // TEXT|@FILE options read the file themselves: picocli must not expand @FILE into arguments.
    commandLine.setExpandAtFiles(false);
    // Listed in the help (picocli hides it by default), so users find it.
    CommandLine completion = commandLine.getSubcommands().get("generate-completion");
    completion.getCommandSpec().usageMessage().hidden(false);
    return commandLine;
  }

  /** Creates subcommands that take an {@link Env}; picocli's default factory makes the rest. */
  private static final class Factory implements CommandLine.IFactory {
    private final Env env;

    Factory(Env env) {
      this.env = env;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
      for (Constructor<?> c : type.getDeclaredConstructors()) {
        if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == Env.class) {
          return type.cast(c.newInstance(env));
        }
      }
      return CommandLine.defaultFactory().create(type);
    }
  }

  /** The version of the packaged command, from its jar's manifest. */
  static final class Version implements IVersionProvider {
    Version() {}

    @Override
    public String[] getVersion() {
      String version = ProxyWasmCommand.class.getPackage().getImplementationVersion();
      return new String[] {
        "proxy-wasm " + (version != null ? version : "(development build, not a packaged jar)"),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name", "unknown VM") + ")"
      };
    }
  }

  /**
   * A mistake on the command line: the message, then the usage of the command it was made in, on
   * stderr; exit 2.
   */
  private static int usageError(ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    err.println("proxy-wasm: " + usageMessage(e));
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println();
    commandLine.usage(err);
    return 2;
  }

  /** Picocli's message, but an unknown option is named alone, not with the value after it. */
  private static String usageMessage(ParameterException e) {
    if (e instanceof UnmatchedArgumentException) {
      for (String arg : ((UnmatchedArgumentException) e).getUnmatched()) {
        if (arg.startsWith("-")) {
          return "Unknown option: '" + arg + "'";
        }
      }
    }
    if ("Missing required subcommand".equals(e.getMessage())) {
      return "name a command: " + String.join(", ", e.getCommandLine().getSubcommands().keySet());
    }
    return e.getMessage();
  }

  /** A failure that is not a usage mistake: its message in words, no usage. */
  static int failure(Exception e, PrintWriter err) {
    if (e instanceof CommandFailure) {
      err.println("proxy-wasm: " + e.getMessage());
      return ((CommandFailure) e).exitCode();
    }
    String message = e.getMessage();
    err.println(
        "proxy-wasm: unexpected error: "
            + (message != null && !message.isBlank() ? message : "no details")
            + " (PROXY_WASM_DEBUG=1 prints the stack trace)");
    if (System.getenv("PROXY_WASM_DEBUG") != null) {
      e.printStackTrace(err);
    }
    return 1;
  }

  /** Ends a subcommand with a message in words and an exit status; no usage is printed. */
  static final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CommandFailure(int exitCode, String message) {
      super(message, null, false, false);
      this.exitCode = exitCode;
    }

    int exitCode() {
      return exitCode;
    }
  }

  /**
   * Reads a file for an option or argument.
   *
   * @param what what the file is, for the message
   * @param file the file
   * @return its bytes
   * @throws CommandFailure (exit 2) saying why it cannot be read
   */
  static byte[] readFile(String what, String file) {
    try {
      return Files.readAllBytes(Path.of(file));
    } catch (IOException | RuntimeException e) {
      throw new CommandFailure(2, "cannot read " + what + file + ": " + reason(e));
    }
  }

  /** Text given as TEXT, or read from FILE when given as {@code @FILE}. */
  static String text(String option, String value) {
    if (value == null || !value.startsWith("@")) {
      return value;
    }
    return new String(readFile(option + " file ", value.substring(1)), StandardCharsets.UTF_8);
  }

  /** Why a file could not be read, in words. */
  static String reason(Exception e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      return ((FileSystemException) e).getReason();
    }
    if (e instanceof java.nio.file.InvalidPathException) {
      return "not a valid path";
    }
    String message = e.getMessage();
    return message != null && !message.isBlank() ? message : "unreadable";
  }

  /**
   * The runtimes to try, in order: the named one alone, or those a host tries for the plugin's code
   * when none is named ({@link Runtimes#candidatesFor}: the next is used only when one refuses the
   * module as unsupported).
   *
   * @param env where runtimes are found
   * @param name the runtime named with {@code --runtime}, or null
   * @param code the plugin's code
   * @return one runtime or more
   * @throws CommandFailure (exit 2) naming what is missing
   */
  static List<WasmVmProvider> runtimes(Env env, String name, byte[] code) {
    try {
      Runtimes runtimes = env.runtimes().get();
      return name != null ? List.of(runtimes.get(name)) : runtimes.candidatesFor(code);
    } catch (ProviderLookupException e) {
      throw new CommandFailure(2, e.getMessage());
    }
  }
}

package io.proxywasm.cli;

import io.proxywasm.cli.ProxyWasmCommand.CommandFailure;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.Runtimes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The options {@code run} and {@code bench} share: the plugin, its configuration, the exchange. */
final class ExchangeOptions {
  @Option(
      names = "--plugin",
      required = true,
      paramLabel = "FILE|java:NAME",
      description = "The plugin: a .wasm file, or java:NAME for a Java plugin (Null VM).")
  String plugin;

  @Mixin RuntimeOptions common;

  @Option(
      names = "--class-path",
      paramLabel = "PATH",
      defaultValue = "${env:PROXY_WASM_CLASS_PATH}",
      description =
          "Jars and directories with your Java plugins for java:NAME, separated by ':' (';' on"
              + " Windows). Default: $PROXY_WASM_CLASS_PATH.")
  String classPath;

  @Option(
      names = "--plugin-config",
      paramLabel = "TEXT|@FILE",
      description = "The plugin configuration, as Envoy's plugin_config.configuration.")
  String pluginConfig = "";

  @Option(
      names = "--vm-config",
      paramLabel = "TEXT|@FILE",
      description = "The VM configuration, as Envoy's vm_config.configuration.")
  String vmConfig = "";

  @Option(names = "--root-id", paramLabel = "ID", description = "The plugin's root_id.")
  String rootId = "";

  @Option(names = "--vm-id", paramLabel = "ID", description = "The plugin's vm_id.")
  String vmId = "";

  @Option(
      names = "--request-header",
      paramLabel = "NAME=VALUE",
      converter = HeaderConverter.class,
      description = "A request header (repeatable), pseudo-headers too: :path=/hello.")
  List<Header> requestHeaders = new ArrayList<>();

  @Option(names = "--request-body", paramLabel = "TEXT|@FILE", description = "The request body.")
  String requestBody;

  @Option(
      names = "--request-trailer",
      paramLabel = "NAME=VALUE",
      converter = HeaderConverter.class,
      description = "A request trailer (repeatable).")
  List<Header> requestTrailers = new ArrayList<>();

  @Option(
      names = "--response-header",
      paramLabel = "NAME=VALUE",
      converter = HeaderConverter.class,
      description = "A header of the upstream's response (repeatable): :status=200.")
  List<Header> responseHeaders = new ArrayList<>();

  @Option(
      names = "--response-body",
      paramLabel = "TEXT|@FILE",
      description = "The upstream's response body.")
  String responseBody;

  @Option(
      names = "--response-trailer",
      paramLabel = "NAME=VALUE",
      converter = HeaderConverter.class,
      description = "A trailer of the upstream's response (repeatable).")
  List<Header> responseTrailers = new ArrayList<>();

  @Option(
      names = "--ticks",
      paramLabel = "N",
      description = "Runs proxy_on_tick N times after the plugin starts, before any stream.")
  int ticks;

  ExchangeOptions() {}

  /** Reads NAME=VALUE; a pseudo-header's leading ':' is part of its name. */
  static final class HeaderConverter implements ITypeConverter<Header> {
    HeaderConverter() {}

    @Override
    public Header convert(String value) {
      int eq = value.indexOf('=', value.startsWith(":") ? 1 : 0);
      if (eq <= 0) {
        throw new TypeConversionException("takes NAME=VALUE, not '" + value + "'");
      }
      return Header.of(value.substring(0, eq), value.substring(eq + 1));
    }
  }

  /** The plugin configuration, with {@code @FILE} texts read. */
  void configure(PluginConfig.Builder c) {
    c.rootId(rootId)
        .vmId(vmId)
        .pluginConfiguration(ProxyWasmCommand.text("--plugin-config", pluginConfig))
        .vmConfiguration(ProxyWasmCommand.text("--vm-config", vmConfig));
  }

  String requestBodyText() {
    return ProxyWasmCommand.text("--request-body", requestBody);
  }

  String responseBodyText() {
    return ProxyWasmCommand.text("--response-body", responseBody);
  }

  /**
   * The plugin to load: its code, and the instance to offer when it is a Java plugin from the
   * user's class path.
   *
   * @param code the code: wasm bytes, or the text {@code java:NAME}
   * @param offered the Java plugin instance to offer the Null VM, or empty
   */
  record PluginCode(byte[] code, Optional<JavaPlugin> offered) {}

  /**
   * Reads the plugin: the file, or the Java plugin by name (from {@code --class-path} first, then
   * the plugins built into the command).
   *
   * @return the code
   * @throws CommandFailure (exit 2) if the file cannot be read or no such Java plugin exists
   */
  PluginCode pluginCode() {
    if (!plugin.startsWith(Runtimes.JAVA_PLUGIN_PREFIX)) {
      return new PluginCode(ProxyWasmCommand.readFile("", plugin), Optional.empty());
    }
    String name = plugin.substring(Runtimes.JAVA_PLUGIN_PREFIX.length()).strip();
    if (name.isEmpty()) {
      throw new CommandFailure(2, "--plugin java:NAME needs a NAME");
    }
    JavaPlugins plugins = JavaPlugins.discover(classPath);
    Optional<JavaPlugin> user = plugins.fromClassPath(name);
    if (user.isPresent()) {
      return new PluginCode(
          (Runtimes.JAVA_PLUGIN_PREFIX + user.get().name()).getBytes(StandardCharsets.UTF_8), user);
    }
    if (!plugins.builtIn(name) && !plugins.isLoadableClass(name)) {
      throw new CommandFailure(2, plugins.notFound(name));
    }
    return new PluginCode(
        (Runtimes.JAVA_PLUGIN_PREFIX + name).getBytes(StandardCharsets.UTF_8), Optional.empty());
  }
}

package io.proxywasm.nullvm;

import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmVmIntegration;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Finds the Java plugin a VM's code names. The code is the text {@code java:NAME}; NAME is looked
 * up, in order, among the objects the embedder offers ({@link WasmVmIntegration#lookup}), among the
 * {@link JavaPlugin}s {@link ServiceLoader} finds, and finally as the name of a class that
 * implements {@link JavaPlugin} and has a public no-argument constructor.
 */
final class PluginResolver {
  /** The prefix of the code that names a Java plugin. */
  static final String PREFIX = io.proxywasm.spi.Runtimes.JAVA_PLUGIN_PREFIX;

  private PluginResolver() {}

  static JavaPlugin resolve(byte[] code, WasmVmIntegration integration) {
    String name = name(code);
    Optional<JavaPlugin> offered = integration.lookup(JavaPlugin.class, name);
    if (offered.isPresent()) {
      return checkName(offered.get(), name);
    }
    List<JavaPlugin> found = new ArrayList<>();
    JavaPlugin byClass = null;
    TreeSet<String> known = new TreeSet<>();
    try {
      for (JavaPlugin p : ServiceLoader.load(JavaPlugin.class)) {
        known.add(p.name());
        if (name.equals(p.name())) {
          found.add(p);
        } else if (name.equals(p.getClass().getName())) {
          byClass = p;
        }
      }
    } catch (ServiceConfigurationError e) {
      throw error("Java plugins could not be listed: " + e.getMessage(), e);
    }
    if (found.size() > 1) {
      List<String> classes = new ArrayList<>();
      found.forEach(p -> classes.add(p.getClass().getName()));
      throw error("Java plugin name '" + name + "' is registered more than once: " + classes, null);
    }
    if (found.size() == 1) {
      return found.get(0);
    }
    if (byClass != null) {
      return byClass;
    }
    if (name.contains(".")) {
      Optional<JavaPlugin> created = byClassName(name);
      if (created.isPresent()) {
        return created.get();
      }
    }
    throw error(
        "no Java plugin named '"
            + name
            + "': registered plugins are "
            + (known.isEmpty() ? "none" : known.toString())
            + " (register one with ServiceLoader, or name a class implementing "
            + JavaPlugin.class.getName()
            + ")",
        null);
  }

  private static String name(byte[] code) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(code))
              .toString()
              .strip();
    } catch (CharacterCodingException e) {
      text = null;
    }
    if (text == null || !text.startsWith(PREFIX) || text.length() == PREFIX.length()) {
      boolean wasm = code.length >= 4 && code[0] == 0 && code[1] == 'a' && code[2] == 's';
      throw error(
          "runtime 'null' runs Java plugins: its code must be the text 'java:NAME', not "
              + (wasm ? "a wasm module (use a wasm runtime such as chicory)" : describe(code)),
          null);
    }
    return text.substring(PREFIX.length()).strip();
  }

  private static String describe(byte[] code) {
    if (code.length == 0) {
      return "empty code";
    }
    String text = new String(code, 0, Math.min(code.length, 40), StandardCharsets.UTF_8);
    return "'" + text + (code.length > 40 ? "...'" : "'");
  }

  private static JavaPlugin checkName(JavaPlugin plugin, String name) {
    if (!name.equals(plugin.name())) {
      throw error(
          "the Java plugin offered as '" + name + "' is named '" + plugin.name() + "'", null);
    }
    return plugin;
  }

  private static Optional<JavaPlugin> byClassName(String className) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    Class<?> type;
    try {
      type =
          Class.forName(
              className, true, loader == null ? PluginResolver.class.getClassLoader() : loader);
    } catch (ClassNotFoundException e) {
      return Optional.empty();
    } catch (LinkageError e) {
      throw error("Java plugin class " + className + " could not be loaded: " + e, e);
    }
    if (!JavaPlugin.class.isAssignableFrom(type)) {
      throw error("class " + className + " does not implement " + JavaPlugin.class.getName(), null);
    }
    try {
      return Optional.of((JavaPlugin) type.getConstructor().newInstance());
    } catch (IllegalAccessException e) {
      throw error(
          "Java plugin class "
              + className
              + " is not accessible to module io.proxywasm.nullvm: register it with 'provides"
              + " io.proxywasm.sdk.JavaPlugin with "
              + className
              + "' or export its package: "
              + e.getMessage(),
          e);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw error(
          "Java plugin class "
              + className
              + " could not be created (it needs a public no-argument constructor): "
              + e,
          e);
    }
  }

  private static WasmException error(String message, Throwable cause) {
    return new WasmException(FailState.UNABLE_TO_INITIALIZE_CODE, message, cause);
  }
}

package io.proxywasm.nullvm;

import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.ProviderLookupException;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.support.ProviderRegistry;
import java.lang.ref.SoftReference;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.WeakHashMap;

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

  /**
   * The plugins found per class loader, discovered once: plugins are stateless factories, shared by
   * every VM of that loader. The registry holds the plugins and they their loader, so the weak key
   * alone would never let an undeployed loader go: the registry is held softly, and the JVM drops
   * it (and with it the loader) when it needs the memory.
   */
  private static final Map<ClassLoader, SoftReference<ProviderRegistry<JavaPlugin>>> FOUND =
      new WeakHashMap<>();

  static JavaPlugin resolve(byte[] code, WasmVmIntegration integration) {
    String name = name(code);
    Optional<JavaPlugin> offered = integration.lookup(JavaPlugin.class, name);
    if (offered.isPresent()) {
      return checkName(offered.get(), name);
    }
    return resolve(name, registered());
  }

  /**
   * Finds a plugin among those registered: by name, else by the name of its class, else as a class
   * to create. A registration that is broken, or a name registered twice, is left out and named
   * when the plugin asked for is not found; it never hides the others.
   */
  static JavaPlugin resolve(String name, ProviderRegistry<JavaPlugin> registry) {
    Optional<JavaPlugin> byName = registry.find(name);
    if (byName.isPresent()) {
      return byName.get();
    }
    for (JavaPlugin p : registry.providers().values()) {
      if (name.equals(p.getClass().getName())) {
        return p;
      }
    }
    if (name.contains(".")) {
      Optional<JavaPlugin> created = byClassName(name);
      if (created.isPresent()) {
        return created.get();
      }
    }
    try {
      return registry.get(name);
    } catch (ProviderLookupException e) {
      throw error(
          e.getMessage()
              + " (register one with ServiceLoader, or name a class implementing "
              + JavaPlugin.class.getName()
              + ")",
          null);
    }
  }

  static ProviderRegistry<JavaPlugin> registered() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    ClassLoader loader = context == null ? PluginResolver.class.getClassLoader() : context;
    synchronized (FOUND) {
      SoftReference<ProviderRegistry<JavaPlugin>> kept = FOUND.get(loader);
      ProviderRegistry<JavaPlugin> registry = kept == null ? null : kept.get();
      if (registry == null) {
        registry = PluginDiscovery.discover(ServiceLoader.load(JavaPlugin.class, loader));
        FOUND.put(loader, new SoftReference<>(registry));
      }
      return registry;
    }
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

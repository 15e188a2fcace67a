package io.proxywasm.cli;

import io.proxywasm.cli.ProxyWasmCommand.CommandFailure;
import io.proxywasm.nullvm.PluginDiscovery;
import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.spi.ProviderProblem;
import io.proxywasm.spi.support.ProviderRegistry;
import java.io.File;
import java.io.IOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

/**
 * The Java plugins the command can run: those built into it (the examples), and those on the user's
 * class path ({@code --class-path}, {@code PROXY_WASM_CLASS_PATH}), which {@code java -jar} would
 * otherwise never see. A user's plugin is found through {@code
 * META-INF/services/io.proxywasm.sdk.JavaPlugin}, through {@code provides
 * io.proxywasm.sdk.JavaPlugin with ...} in a modular jar's module-info, or by its class name. All
 * are discovered by the Null VM's rule ({@link PluginDiscovery}): a plugin that cannot be created,
 * or a name two plugins share, is left out and named when a plugin is not found.
 */
final class JavaPlugins {
  private final String classPath;
  private final ClassLoader userLoader;
  private final ProviderRegistry<JavaPlugin> registry;

  private JavaPlugins(
      String classPath, ClassLoader userLoader, ProviderRegistry<JavaPlugin> registry) {
    this.classPath = classPath;
    this.userLoader = userLoader;
    this.registry = registry;
  }

  /**
   * Lists the plugins built in and on the class path.
   *
   * @param classPath the user's class path, or null or empty for none
   * @return the plugins
   * @throws CommandFailure (exit 2) if an entry is missing or cannot be read
   */
  static JavaPlugins discover(String classPath) {
    ClassLoader parent = JavaPlugins.class.getClassLoader();
    if (classPath == null || classPath.isBlank()) {
      return new JavaPlugins(
          null, null, PluginDiscovery.discover(ServiceLoader.load(JavaPlugin.class, parent)));
    }
    List<Path> entries = new ArrayList<>();
    List<URL> urls = new ArrayList<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path path = Path.of(entry);
      if (!Files.exists(path)) {
        throw new CommandFailure(2, "cannot read class path entry " + entry + ": no such file");
      }
      entries.add(path);
      try {
        urls.add(path.toUri().toURL());
      } catch (MalformedURLException e) {
        throw new CommandFailure(2, "class path entry " + entry + " is not a valid location");
      }
    }
    URLClassLoader loader =
        new URLClassLoader("proxy-wasm-class-path", urls.toArray(URL[]::new), parent);
    Iterable<JavaPlugin> found =
        withModular(
            ServiceLoader.load(JavaPlugin.class, loader), loader, modularProviders(entries));
    return new JavaPlugins(classPath, loader, PluginDiscovery.discover(found));
  }

  /**
   * The plugins a service loader finds, then those the modular jars provide that it did not find.
   * One that cannot be created fails as the service loader's do, so that the registry leaves it out
   * and lists it.
   */
  private static Iterable<JavaPlugin> withModular(
      Iterable<JavaPlugin> services, ClassLoader loader, List<String> modular) {
    return () ->
        new Iterator<>() {
          private final Iterator<JavaPlugin> registered = services.iterator();
          private final Iterator<String> declared = modular.iterator();
          private final Set<String> seen = new HashSet<>();
          private String pending;

          @Override
          public boolean hasNext() {
            if (registered.hasNext()) {
              return true;
            }
            while (pending == null && declared.hasNext()) {
              String name = declared.next();
              if (seen.add(name)) {
                pending = name;
              }
            }
            return pending != null;
          }

          @Override
          public JavaPlugin next() {
            if (registered.hasNext()) {
              JavaPlugin p = registered.next();
              seen.add(p.getClass().getName());
              return p;
            }
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            String name = pending;
            pending = null;
            try {
              return create(loader, name);
            } catch (CommandFailure e) {
              throw new ServiceConfigurationError(e.getMessage());
            }
          }
        };
  }

  /** The JavaPlugin providers modular jars on the class path declare in their module-info. */
  private static List<String> modularProviders(List<Path> entries) {
    List<String> providers = new ArrayList<>();
    for (Path entry : entries) {
      if (!entry.toString().endsWith(".jar")) {
        continue;
      }
      try {
        for (ModuleReference ref : ModuleFinder.of(entry).findAll()) {
          ModuleDescriptor d = ref.descriptor();
          if (d.isAutomatic()) {
            continue;
          }
          d.provides().stream()
              .filter(p -> p.service().equals(JavaPlugin.class.getName()))
              .forEach(p -> providers.addAll(p.providers()));
        }
      } catch (FindException e) {
        // A plain jar has no descriptor to read: what its service files name is the service
        // loader's to find, and a broken entry there is left out like any other.
        if (hasModuleInfo(entry)) {
          throw new CommandFailure(
              2, "cannot read the module descriptor of " + entry + ": " + e.getMessage());
        }
      }
    }
    return providers;
  }

  private static boolean hasModuleInfo(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().anyMatch(e -> e.getName().endsWith("module-info.class"));
    } catch (IOException e) {
      throw new CommandFailure(2, "cannot read class path entry " + jar + ": " + e.getMessage());
    }
  }

  /**
   * Creates a provider as ServiceLoader would: its public static provider(), or its constructor.
   */
  private static JavaPlugin create(ClassLoader loader, String className) {
    try {
      Class<?> type = Class.forName(className, true, loader);
      for (Method m : type.getMethods()) {
        if (m.getName().equals("provider")
            && m.getParameterCount() == 0
            && Modifier.isStatic(m.getModifiers())
            && JavaPlugin.class.isAssignableFrom(m.getReturnType())) {
          return (JavaPlugin) m.invoke(null);
        }
      }
      if (!JavaPlugin.class.isAssignableFrom(type)) {
        throw new CommandFailure(
            2, "class " + className + " does not implement " + JavaPlugin.class.getName());
      }
      return (JavaPlugin) type.getConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new CommandFailure(
          2,
          "Java plugin "
              + className
              + " could not be created (it needs a public no-argument constructor or a public"
              + " static provider() method)");
    }
  }

  private boolean fromUser(JavaPlugin p) {
    return userLoader != null && p.getClass().getClassLoader() == userLoader;
  }

  private List<JavaPlugin> plugins(boolean user) {
    return registry.providers().values().stream().filter(p -> fromUser(p) == user).toList();
  }

  /**
   * Finds a plugin from the user's class path by name, or by class name.
   *
   * @param name the plugin's name or class name
   * @return the plugin, or empty
   */
  Optional<JavaPlugin> fromClassPath(String name) {
    Optional<JavaPlugin> byName = registry.find(name).filter(this::fromUser);
    if (byName.isPresent()) {
      return byName;
    }
    for (JavaPlugin p : plugins(true)) {
      if (p.getClass().getName().equals(name)) {
        return Optional.of(p);
      }
    }
    if (userLoader != null && name.contains(".")) {
      try {
        Class<?> type = Class.forName(name, false, userLoader);
        if (type.getClassLoader() == userLoader) {
          return Optional.of(create(userLoader, name));
        }
      } catch (ClassNotFoundException | LinkageError e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * Tells whether a plugin of that name (or class name) is built into the command.
   *
   * @param name the name
   * @return true if built in
   */
  boolean builtIn(String name) {
    return plugins(false).stream()
        .anyMatch(p -> p.name().equals(name) || p.getClass().getName().equals(name));
  }

  /**
   * Tells whether the name is a class the Null VM can find on the command's own class path.
   *
   * @param name the name
   * @return true if it names a JavaPlugin class there
   */
  boolean isLoadableClass(String name) {
    if (!name.contains(".")) {
      return false;
    }
    try {
      return JavaPlugin.class.isAssignableFrom(
          Class.forName(name, false, JavaPlugins.class.getClassLoader()));
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Says that no plugin has the name, which plugins exist, and why the user's may be missing.
   *
   * @param name the name asked for
   * @return the message
   */
  String notFound(String name) {
    TreeSet<String> builtInNames = new TreeSet<>();
    plugins(false).forEach(p -> builtInNames.add(p.name()));
    TreeSet<String> userNames = new TreeSet<>();
    plugins(true).forEach(p -> userNames.add(p.name()));
    StringBuilder sb = new StringBuilder("no Java plugin named '").append(name).append("'");
    sb.append("; built in: ").append(builtInNames.isEmpty() ? "none" : builtInNames);
    if (classPath == null) {
      sb.append(
          "; no plugin came from your class path because none was given: `java -jar` ignores"
              + " -cp, so pass your plugin's jar with --class-path PATH (or set"
              + " PROXY_WASM_CLASS_PATH)");
    } else if (userNames.isEmpty()) {
      sb.append("; none came from --class-path ")
          .append(classPath)
          .append(
              ": the class path may be the cause; register the plugin in"
                  + " META-INF/services/io.proxywasm.sdk.JavaPlugin (or with 'provides"
                  + " io.proxywasm.sdk.JavaPlugin with ...' in a modular jar), or name its"
                  + " class: java:com.example.MyPlugin");
    } else {
      sb.append("; from --class-path: ").append(userNames);
    }
    if (!registry.problems().isEmpty()) {
      sb.append("; left out: ")
          .append(
              registry.problems().stream()
                  .map(ProviderProblem::description)
                  .collect(Collectors.joining("; ")));
    }
    return sb.toString();
  }
}

package io.proxywasm.spi.support;

import io.proxywasm.spi.ProviderLookupException;
import io.proxywasm.spi.ProviderProblem;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one discovery rule for everything found with {@link ServiceLoader}: runtimes and extensions
 * ({@code Runtimes}, {@code Extensions}), stats sinks and Java plugins.
 *
 * <ul>
 *   <li>Names are unique; two providers with one name are both left out and the name reports them.
 *   <li>A provider that fails to load, construct or name itself is left out and reported; it never
 *       breaks discovery of the others.
 *   <li>A system property can force the default provider by name.
 *   <li>Otherwise the default is the highest {@code priority()}, ties broken by name.
 * </ul>
 *
 * @param <P> the provider type
 */
public final class ProviderRegistry<P> {
  /** The names runtimes, extensions and sinks may have. */
  public static final Pattern PROVIDER_NAMES = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  /** Any name that is not blank (Java plugins may be named by their class). */
  public static final Pattern ANY_NAME = Pattern.compile("\\S.*");

  private static final int MAX_ERRORS = 64;

  private final Kind<P> kind;
  private final Map<String, P> providers;
  private final List<ProviderProblem> problems;

  /**
   * The description of one kind of provider.
   *
   * @param label what a provider is called in messages, for example {@code runtime}
   * @param service the service interface
   * @param property the system property forcing the default
   * @param name reads a provider's name
   * @param priority reads a provider's priority
   * @param artifact the artifact a user adds to get a provider, named when there is none
   * @param names the names a provider may have
   * @param <P> the provider type
   */
  public record Kind<P>(
      String label,
      Class<P> service,
      String property,
      Function<P, String> name,
      ToIntFunction<P> priority,
      String artifact,
      Pattern names) {

    /**
     * Describes a kind of provider named as runtimes are.
     *
     * @param label what a provider is called in messages
     * @param service the service interface
     * @param property the system property forcing the default, or null for none
     * @param name reads a provider's name
     * @param priority reads a provider's priority
     * @param artifact the artifact a user adds to get a provider
     */
    public Kind(
        String label,
        Class<P> service,
        String property,
        Function<P, String> name,
        ToIntFunction<P> priority,
        String artifact) {
      this(label, service, property, name, priority, artifact, PROVIDER_NAMES);
    }
  }

  private ProviderRegistry(Kind<P> kind, Map<String, P> providers, List<ProviderProblem> problems) {
    this.kind = kind;
    this.providers = Collections.unmodifiableMap(providers);
    this.problems = List.copyOf(problems);
  }

  /**
   * Discovers providers: one that fails to load, construct or name itself is left out and listed in
   * {@link #problems()}, as are both of two providers with one name.
   *
   * @param kind the kind of provider
   * @param loader the providers, usually a {@link ServiceLoader} created by the caller (whose
   *     module {@code uses} the service); an element that fails with {@link
   *     ServiceConfigurationError} is left out and listed
   * @param <P> the provider type
   * @return the registry
   */
  public static <P> ProviderRegistry<P> discover(Kind<P> kind, Iterable<P> loader) {
    List<P> found = new ArrayList<>();
    List<ProviderProblem> problems = new ArrayList<>();
    Iterator<P> it = loader.iterator();
    int errors = 0;
    while (errors < MAX_ERRORS) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError e) {
        errors++;
        problems.add(
            new ProviderProblem(
                "", "a " + kind.label() + " provider could not be loaded: " + e.getMessage(), e));
      }
    }
    return build(kind, found, problems, false);
  }

  /**
   * Takes providers by hand; a bad or duplicate name is an error.
   *
   * @param kind the kind of provider
   * @param providers the providers
   * @param <P> the provider type
   * @return the registry
   * @throws IllegalArgumentException naming the bad names
   */
  public static <P> ProviderRegistry<P> of(Kind<P> kind, List<P> providers) {
    return build(kind, providers, List.of(), true);
  }

  /**
   * Adds providers by hand.
   *
   * @param more the providers
   * @return a new registry
   * @throws IllegalArgumentException for a bad name or one taken already
   */
  public ProviderRegistry<P> with(List<P> more) {
    ProviderRegistry<P> added = build(kind, more, List.of(), true);
    for (String name : added.providers.keySet()) {
      if (providers.containsKey(name)) {
        throw new IllegalArgumentException(
            "a "
                + kind.label()
                + " named '"
                + name
                + "' exists already ("
                + providers.get(name).getClass().getName()
                + "); cannot add "
                + added.providers.get(name).getClass().getName());
      }
    }
    Map<String, P> merged = new TreeMap<>(providers);
    merged.putAll(added.providers);
    return new ProviderRegistry<>(kind, merged, problems);
  }

  private static <P> ProviderRegistry<P> build(
      Kind<P> kind, List<P> found, List<ProviderProblem> problems, boolean strict) {
    Map<String, List<P>> byName = new TreeMap<>();
    List<ProviderProblem> all = new ArrayList<>(problems);
    for (P p : found) {
      Objects.requireNonNull(p, "provider");
      String name;
      try {
        name = kind.name().apply(p);
      } catch (RuntimeException e) {
        all.add(
            new ProviderProblem(
                "", p.getClass().getName() + " failed to report its name: " + e, e));
        continue;
      }
      if (name == null || !kind.names().matcher(name).matches()) {
        all.add(
            new ProviderProblem(
                String.valueOf(name),
                p.getClass().getName()
                    + " has an invalid "
                    + kind.label()
                    + " name '"
                    + name
                    + "'"
                    + (kind.names() == PROVIDER_NAMES
                        ? " (expected lower case letters, digits, '.', '_' or '-')"
                        : ""),
                null));
        continue;
      }
      byName.computeIfAbsent(name, n -> new ArrayList<>()).add(p);
    }
    Map<String, P> unique = new TreeMap<>();
    for (Map.Entry<String, List<P>> e : byName.entrySet()) {
      if (e.getValue().size() == 1) {
        unique.put(e.getKey(), e.getValue().get(0));
      } else {
        all.add(
            new ProviderProblem(
                e.getKey(),
                "duplicate "
                    + kind.label()
                    + " name '"
                    + e.getKey()
                    + "': "
                    + e.getValue().stream()
                        .map(p -> p.getClass().getName() + " (" + location(p) + ")")
                        .collect(Collectors.joining(", ")),
                null));
      }
    }
    if (strict && !all.isEmpty()) {
      throw new IllegalArgumentException(
          all.stream().map(ProviderProblem::description).collect(Collectors.joining("; ")));
    }
    ProviderRegistry<P> registry = new ProviderRegistry<>(kind, unique, all);
    registry.log();
    return registry;
  }

  private void log() {
    System.Logger logger = System.getLogger(kind.service().getName());
    for (Map.Entry<String, P> e : providers.entrySet()) {
      logger.log(
          Level.DEBUG,
          () -> "found " + kind.label() + " '" + e.getKey() + "' from " + location(e.getValue()));
    }
    for (ProviderProblem p : problems) {
      logger.log(Level.WARNING, p.description());
    }
  }

  private static String location(Object provider) {
    Class<?> type = provider.getClass();
    if (type.getModule().isNamed()) {
      return "module " + type.getModule().getName();
    }
    var source = type.getProtectionDomain().getCodeSource();
    return source == null || source.getLocation() == null
        ? "class " + type.getName()
        : source.getLocation().toString();
  }

  /**
   * Returns the providers by name.
   *
   * @return unmodifiable, sorted by name
   */
  public Map<String, P> providers() {
    return providers;
  }

  /**
   * Returns what was left out and why.
   *
   * @return the problems
   */
  public List<ProviderProblem> problems() {
    return problems;
  }

  /**
   * Finds a provider by name.
   *
   * @param name the name
   * @return the provider, or empty
   */
  public Optional<P> find(String name) {
    return Optional.ofNullable(providers.get(name));
  }

  /**
   * Returns a provider by name.
   *
   * @param name the name
   * @return the provider
   * @throws ProviderLookupException naming the providers available and the problems seen
   */
  public P get(String name) {
    P p = providers.get(name);
    if (p != null) {
      return p;
    }
    throw new ProviderLookupException(
        "no " + kind.label() + " named '" + name + "'" + describeAvailable());
  }

  /**
   * Returns the default provider: the one the system property names, else the highest priority.
   *
   * @return the provider
   * @throws ProviderLookupException when there is none
   */
  public P preferred() {
    String forced = kind.property() == null ? null : System.getProperty(kind.property());
    if (forced != null && !forced.isBlank()) {
      P p = providers.get(forced.trim());
      if (p == null) {
        throw new ProviderLookupException(
            "system property "
                + kind.property()
                + " names "
                + kind.label()
                + " '"
                + forced.trim()
                + "', which is not available"
                + describeAvailable());
      }
      return p;
    }
    List<P> ranked = byPriority();
    if (ranked.isEmpty()) {
      throw new ProviderLookupException("no " + kind.label() + " found" + describeAvailable());
    }
    return ranked.get(0);
  }

  /**
   * Returns the providers best first: by descending priority, ties by name. The first is {@link
   * #preferred()} when the kind's system property names none.
   *
   * @return an unmodifiable list
   */
  public List<P> byPriority() {
    return providers.entrySet().stream()
        .sorted(
            Comparator.<Map.Entry<String, P>>comparingInt(
                    e -> kind.priority().applyAsInt(e.getValue()))
                .reversed()
                .thenComparing(Map.Entry::getKey))
        .map(Map.Entry::getValue)
        .toList();
  }

  private String describeAvailable() {
    StringBuilder sb = new StringBuilder();
    sb.append("; available: ")
        .append(providers.isEmpty() ? "none" : String.join(", ", providers.keySet()));
    if (!problems.isEmpty()) {
      sb.append("; problems: ")
          .append(
              problems.stream()
                  .map(ProviderProblem::description)
                  .collect(Collectors.joining("; ")));
    }
    if (providers.isEmpty()) {
      sb.append("; add ")
          .append(kind.artifact())
          .append(" (or another module that provides ")
          .append(kind.service().getName())
          .append(") to the class or module path, or pass a provider by hand");
    }
    return sb.toString();
  }
}

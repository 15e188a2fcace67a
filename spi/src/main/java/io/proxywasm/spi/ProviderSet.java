package io.proxywasm.spi;

import io.proxywasm.spi.support.ProviderRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A set of named providers after discovery: the lookups shared by {@link Runtimes} and {@link
 * Extensions}. Instances are immutable and thread-safe.
 *
 * @param <P> the provider type
 */
public abstract sealed class ProviderSet<P> permits Runtimes, Extensions {
  /** The discovered or given providers and the problems seen. */
  final ProviderRegistry<P> registry;

  ProviderSet(ProviderRegistry<P> registry) {
    this.registry = registry;
  }

  /**
   * Finds a provider by name.
   *
   * @param name the name
   * @return the provider, or empty
   */
  public Optional<P> find(String name) {
    return registry.find(name);
  }

  /**
   * Returns a provider by name.
   *
   * @param name the name
   * @return the provider
   * @throws ProviderLookupException naming the providers available and the problems seen
   */
  public P get(String name) {
    return registry.get(name);
  }

  /**
   * Returns the default provider: the one named by the kind's system property, or else the one with
   * the highest priority (ties go to the first name in alphabetical order).
   *
   * @return the provider
   * @throws ProviderLookupException if the property names a missing provider, or there is none
   */
  public P preferred() {
    return registry.preferred();
  }

  /**
   * Returns the usable providers by name, in name order.
   *
   * @return an unmodifiable map
   */
  public Map<String, P> all() {
    return registry.providers();
  }

  /**
   * Returns the providers discovery left out, and why.
   *
   * @return the problems, in the order seen
   */
  public List<ProviderProblem> problems() {
    return registry.problems();
  }
}

package io.proxywasm.spi;

/**
 * A provider that discovery had to leave out: it failed to load or construct, had an invalid name,
 * or shared its name with another provider.
 *
 * @param name the provider's name, or the empty string when it could not be read
 * @param description what was wrong, naming the provider class(es)
 * @param cause the underlying error, or null
 */
public record ProviderProblem(String name, String description, Throwable cause) {
  /**
   * Returns the description.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return description;
  }
}

package io.proxywasm.spi;

/**
 * No usable provider answers a name: it is unknown, ambiguous or broken. The message lists the
 * providers found and the problems seen.
 */
public final class ProviderLookupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was asked for, what exists and what was wrong
   */
  public ProviderLookupException(String message) {
    super(message);
  }
}

package io.proxywasm.gateway.config;

/** A configuration the gateway refuses, with the place in it and the reason in words. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error.
   *
   * @param message where and what, for example {@code static_resources.clusters[0].type: ...}
   */
  public ConfigException(String message) {
    super(message);
  }

  /**
   * Creates the error with a cause.
   *
   * @param message where and what
   * @param cause the underlying failure
   */
  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}

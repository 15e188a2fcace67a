package io.proxywasm.remote;

/** A module could not be had: the fetch failed, the body was too large, or its hash was wrong. */
public final class RemoteCodeException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the source
   * @param cause the underlying failure, or null
   */
  public RemoteCodeException(String message, Throwable cause) {
    super(message, cause);
  }
}

package io.proxywasm.spi;

import java.util.Objects;

/**
 * A failure of a VM: a module that cannot load or link, a missing or mistyped export, or a trap.
 * The {@link #failState()} says which.
 */
public class WasmException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The failure kind. */
  private final FailState failState;

  /**
   * Creates an exception.
   *
   * @param failState the failure kind; not {@link FailState#OK}
   * @param message what went wrong, naming the function, import or section at fault
   */
  public WasmException(FailState failState, String message) {
    this(failState, message, null);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param failState the failure kind; not {@link FailState#OK}
   * @param message what went wrong
   * @param cause the underlying error, or null
   */
  public WasmException(FailState failState, String message, Throwable cause) {
    super(message, cause);
    this.failState = Objects.requireNonNull(failState, "failState");
  }

  /**
   * Returns the failure kind.
   *
   * @return the kind
   */
  public FailState failState() {
    return failState;
  }
}

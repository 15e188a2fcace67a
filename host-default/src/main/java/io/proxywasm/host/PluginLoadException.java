package io.proxywasm.host;

import io.proxywasm.spi.FailState;

/**
 * A plugin could not be loaded: its code, its runtime or its configuration was rejected. The
 * message names what was wrong; {@link #failState()} says at which step.
 */
public final class PluginLoadException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The step that failed. */
  private final FailState failState;

  /**
   * Creates the exception.
   *
   * @param failState the step that failed
   * @param message what was wrong
   * @param cause the underlying error
   */
  public PluginLoadException(FailState failState, String message, Throwable cause) {
    super(message, cause);
    this.failState = failState;
  }

  /**
   * Returns the step that failed: {@link FailState#UNABLE_TO_CREATE_VM}, {@link
   * FailState#UNABLE_TO_INITIALIZE_CODE}, {@link FailState#MISSING_FUNCTION}, {@link
   * FailState#START_FAILED}, {@link FailState#CONFIGURE_FAILED}, ...
   *
   * @return the fail state
   */
  public FailState failState() {
    return failState;
  }
}

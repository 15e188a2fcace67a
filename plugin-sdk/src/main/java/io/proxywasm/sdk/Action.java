package io.proxywasm.sdk;

/**
 * What a stream callback answers: go on to the next filter, or pause until the plugin resumes the
 * stream (the ABI's {@code Continue} and {@code StopIteration}).
 */
public enum Action {
  /** Let the stream go on; ABI code 0. */
  CONTINUE,
  /** Pause the stream until the plugin resumes it; ABI code 1. */
  PAUSE;

  /**
   * Returns the ABI code.
   *
   * @return 0 or 1
   */
  public int code() {
    return ordinal();
  }
}

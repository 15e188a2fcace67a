package io.proxywasm.host.internal.wasi;

/** Thrown by WASI {@code proc_exit} to end the plugin's execution; the call fails the VM. */
public final class ProcExitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The exit code. */
  private final int code;

  /**
   * Creates the exception.
   *
   * @param code the exit code the plugin passed
   */
  public ProcExitException(int code) {
    super("proc_exit(" + code + ")");
    this.code = code;
  }

  /**
   * Returns the exit code.
   *
   * @return the code
   */
  public int code() {
    return code;
  }
}

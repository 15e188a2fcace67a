package io.proxywasm.spi;

import java.util.Optional;

/** Why a VM failed, as proxy-wasm-cpp-host records it. */
public enum FailState implements AbiCode {
  /** The VM has not failed. Code 0. */
  OK(0),
  /** The runtime could not create the VM. Code 1. */
  UNABLE_TO_CREATE_VM(1),
  /** A clone of the base VM could not be made. Code 2. */
  UNABLE_TO_CLONE_VM(2),
  /** A function the host requires is not exported. Code 3. */
  MISSING_FUNCTION(3),
  /** The module could not be loaded, linked or initialised. Code 4. */
  UNABLE_TO_INITIALIZE_CODE(4),
  /** {@code proxy_on_vm_start} returned false or failed. Code 5. */
  START_FAILED(5),
  /** {@code proxy_on_configure} returned false or failed. Code 6. */
  CONFIGURE_FAILED(6),
  /** The plugin trapped while running. Code 7. */
  RUNTIME_ERROR(7);

  private static final java.util.List<Optional<FailState>> BY_CODE = Codes.index(values());

  private final int code;

  FailState(int code) {
    this.code = code;
  }

  @Override
  public int code() {
    return code;
  }

  /**
   * Returns the constant with the given ABI code.
   *
   * @param code a code as received from a plugin; any value
   * @return the constant, or empty if no constant has that code
   */
  public static Optional<FailState> fromCode(long code) {
    return Codes.find(BY_CODE, code);
  }
}

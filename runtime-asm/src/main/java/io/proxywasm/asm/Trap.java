package io.proxywasm.asm;

/**
 * A trap of translated code: the wasm program did something the spec forbids, and the call ends.
 * The messages are the ones Chicory gives for the same traps, so that the host's fail state and
 * logs read the same on every runtime.
 */
public final class Trap extends RuntimeException {
  private static final long serialVersionUID = 1L;

  Trap(String message) {
    super(message, null, false, false);
  }

  /**
   * A trap on an access out of linear memory, naming the address.
   *
   * @param address the first byte accessed
   * @param size how many bytes
   * @param limit the memory's size in bytes
   * @return the trap
   */
  static Trap outOfBounds(int address, int size, int limit) {
    return new Trap(
        "out of bounds memory access: attempted to access address: "
            + address
            + " but limit is: "
            + limit
            + " and size: "
            + size);
  }

  /** A trap on an effective address that does not fit in 31 bits. */
  static Trap outOfBounds() {
    return new Trap("out of bounds memory access");
  }

  /**
   * A trap on a load out of bounds: a value that crosses a page boundary is named by its first byte
   * outside memory, as Chicory's paged memory reads it byte by byte.
   */
  static Trap readOutOfBounds(int address, int size, int limit) {
    if ((address & 0xFFFF) + size > 0x10000) {
      for (int i = 0; i < size; i++) {
        int at = address + i;
        if (at < 0 || at >= limit) {
          return outOfBounds(at, 1, limit);
        }
      }
    }
    return outOfBounds(address, size, limit);
  }

  /**
   * Throws the trap of the {@code unreachable} instruction.
   *
   * @return never
   */
  public static Trap unreachable() {
    return new Trap("Trapped on unreachable instruction");
  }

  /**
   * The trap of {@code terminate()}.
   *
   * @return the trap
   */
  public static Trap terminated() {
    return new Trap("execution terminated");
  }

  static Trap divideByZero() {
    return new Trap("integer divide by zero");
  }

  static Trap overflow() {
    return new Trap("integer overflow");
  }

  static Trap invalidConversion() {
    return new Trap("invalid conversion to integer");
  }

  static Trap undefinedElement() {
    return new Trap("undefined element");
  }

  static Trap uninitializedElement(int index) {
    return new Trap("uninitialized element " + index);
  }

  static Trap indirectCallTypeMismatch() {
    return new Trap("indirect call type mismatch");
  }

  static Trap callStackExhausted() {
    return new Trap("call stack exhausted");
  }
}

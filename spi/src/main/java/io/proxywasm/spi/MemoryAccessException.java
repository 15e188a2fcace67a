package io.proxywasm.spi;

/**
 * A read or write outside a VM's linear memory. Host functions turn it into {@link
 * WasmResult#INVALID_MEMORY_ACCESS}; it never reaches an embedder.
 */
public final class MemoryAccessException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception for an access to {@code [address, address + length)}.
   *
   * @param address the first byte accessed, as an unsigned offset
   * @param length how many bytes
   * @param memorySize the size of the memory in bytes
   */
  public MemoryAccessException(long address, long length, long memorySize) {
    super(
        "memory access out of bounds: "
            + length
            + " bytes at address "
            + address
            + " in a linear memory of "
            + memorySize
            + " bytes");
  }

  /**
   * Throws unless {@code [address, address + length)} lies inside a memory of {@code memorySize}
   * bytes.
   *
   * @param address the first byte; negative values are out of bounds
   * @param length the number of bytes; negative values are out of bounds
   * @param memorySize the memory size in bytes
   * @throws MemoryAccessException if the range is outside the memory
   */
  public static void checkBounds(long address, long length, long memorySize) {
    if (address < 0 || length < 0 || address > memorySize - length) {
      throw new MemoryAccessException(address, length, memorySize);
    }
  }
}

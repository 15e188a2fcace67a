package io.proxywasm.spi;

/**
 * The linear memory of a {@link WasmVm}, bounds-checked: every accessor throws {@link
 * MemoryAccessException} for a range outside memory, which host functions turn into {@link
 * WasmResult#INVALID_MEMORY_ACCESS} for the plugin. Addresses are unsigned; values are
 * little-endian.
 */
public interface LinearMemory {

  /**
   * Returns the current size of linear memory.
   *
   * @return the size in bytes
   */
  long size();

  /**
   * Copies bytes out of linear memory.
   *
   * @param address the first byte, unsigned
   * @param target where to copy to
   * @param offset the first index in {@code target}
   * @param length how many bytes
   * @throws MemoryAccessException if the range is outside memory
   */
  void read(long address, byte[] target, int offset, int length);

  /**
   * Copies bytes into linear memory.
   *
   * @param address the first byte, unsigned
   * @param source where to copy from
   * @param offset the first index in {@code source}
   * @param length how many bytes
   * @throws MemoryAccessException if the range is outside memory
   */
  void write(long address, byte[] source, int offset, int length);

  /**
   * Reads a little-endian 32-bit value.
   *
   * @param address the first byte, unsigned
   * @return the value
   * @throws MemoryAccessException if the range is outside memory
   */
  int readInt(long address);

  /**
   * Writes a little-endian 32-bit value.
   *
   * @param address the first byte, unsigned
   * @param value the value
   * @throws MemoryAccessException if the range is outside memory
   */
  void writeInt(long address, int value);

  /**
   * Reads a little-endian 64-bit value.
   *
   * @param address the first byte, unsigned
   * @return the value
   * @throws MemoryAccessException if the range is outside memory
   */
  long readLong(long address);

  /**
   * Writes a little-endian 64-bit value.
   *
   * @param address the first byte, unsigned
   * @param value the value
   * @throws MemoryAccessException if the range is outside memory
   */
  void writeLong(long address, long value);

  /**
   * Reads bytes out of linear memory into a new array.
   *
   * @param address the first byte, unsigned
   * @param length how many bytes
   * @return a copy of the bytes
   * @throws MemoryAccessException if the range is outside memory
   */
  default byte[] read(long address, int length) {
    MemoryAccessException.checkBounds(address, length, size());
    byte[] bytes = new byte[length];
    read(address, bytes, 0, length);
    return bytes;
  }

  /**
   * Returns the size of a pointer in this memory: 4 for wasm32.
   *
   * @return 4 or 8
   */
  default int wordSize() {
    return 4;
  }

  /**
   * Reads a pointer-sized unsigned value.
   *
   * @param address the first byte, unsigned
   * @return the value, zero-extended
   * @throws MemoryAccessException if the range is outside memory
   */
  default long readWord(long address) {
    return wordSize() == 4 ? Integer.toUnsignedLong(readInt(address)) : readLong(address);
  }

  /**
   * Writes a pointer-sized value.
   *
   * @param address the first byte, unsigned
   * @param value the value; truncated to 32 bits in a wasm32 VM
   * @throws MemoryAccessException if the range is outside memory
   */
  default void writeWord(long address, long value) {
    if (wordSize() == 4) {
      writeInt(address, (int) value);
    } else {
      writeLong(address, value);
    }
  }
}

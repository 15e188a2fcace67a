package io.proxywasm.host.internal.vm;

import io.proxywasm.spi.Callback;
import io.proxywasm.spi.LinearMemory;
import io.proxywasm.spi.MemoryAccessException;
import io.proxywasm.spi.WasmVm;
import java.util.Optional;

/**
 * The plugin's linear memory as host calls fill it: memory the plugin allocates with its own
 * allocator, results copied out with their address and size written where the plugin asked, and a
 * scratch buffer for encoding them on the way. Used under the VM's lock.
 */
public final class GuestMemory {
  /** Writes a value into a buffer from index 0; returns the bytes written. */
  @FunctionalInterface
  public interface Encoder<T> {
    int encode(T value, byte[] target);
  }

  /** The most scratch memory a VM keeps between calls; larger needs get a buffer of their own. */
  private static final int SCRATCH_KEPT = 64 * 1024;

  private static final byte[] NO_SCRATCH = new byte[0];

  private static final String IN_MALLOC = phase(Callback.MALLOC);
  private static final String IN_ON_MEMORY_ALLOCATE = phase(Callback.ON_MEMORY_ALLOCATE);

  private static String phase(Callback allocator) {
    return "inside the plugin's allocator (" + allocator.exportName() + ")";
  }

  private final WasmVm vm;
  private final CallDispatcher calls;
  private final Restriction restriction;
  private final FailureRecord failures;
  private byte[] scratch = NO_SCRATCH;

  GuestMemory(WasmVm vm, CallDispatcher calls, Restriction restriction, FailureRecord failures) {
    this.vm = vm;
    this.calls = calls;
    this.restriction = restriction;
    this.failures = failures;
  }

  /**
   * Allocates memory in the VM with its {@code malloc} (or {@code proxy_on_memory_allocate}); the
   * allocator may call only what cpp-host's {@code allocMemory} allows.
   *
   * @param size the number of bytes
   * @return the address, or 0 on failure
   */
  long allocate(int size) {
    Callback allocator = calls.has(Callback.MALLOC) ? Callback.MALLOC : Callback.ON_MEMORY_ALLOCATE;
    Context ctx = calls.currentOrVm();
    long address =
        restriction.callDuring(
            Restriction.MALLOC_ALLOWED,
            allocator == Callback.MALLOC ? IN_MALLOC : IN_ON_MEMORY_ALLOCATE,
            calls,
            ctx,
            allocator,
            size);
    if (address == 0 || failures.isFailed()) {
      return 0;
    }
    try {
      MemoryAccessException.checkBounds(address, size, sizeOf(vm));
    } catch (MemoryAccessException e) {
      return 0;
    }
    return address;
  }

  /**
   * Copies the first {@code length} bytes of {@code data} into memory the plugin allocates, and
   * writes the address and size where the plugin asked. Empty data writes 0 and 0 without
   * allocating, as cpp-host does.
   *
   * @param data the bytes
   * @param length how many of them
   * @param ptrPtr where to write the address; 0 to skip
   * @param sizePtr where to write the size; 0 to skip
   * @return false on an allocation failure or a bad pointer
   */
  boolean copyOut(byte[] data, int length, long ptrPtr, long sizePtr) {
    LinearMemory memory = vm.memory().orElseThrow();
    try {
      long address = 0;
      if (length > 0) {
        address = allocate(length);
        if (address == 0) {
          return false;
        }
        memory.write(address, data, 0, length);
      }
      if (ptrPtr != 0) {
        memory.writeWord(ptrPtr, address);
      }
      if (sizePtr != 0) {
        memory.writeWord(sizePtr, length);
      }
      return true;
    } catch (MemoryAccessException e) {
      return false;
    }
  }

  /**
   * Encodes a value into the scratch buffer and copies it out as {@link #copyOut} does: no
   * allocation on the way but the plugin's own.
   */
  <T> boolean copyOutEncoded(T value, int size, Encoder<T> encoder, long ptrPtr, long sizePtr) {
    byte[] buffer = takeScratch(size);
    try {
      return copyOut(buffer, encoder.encode(value, buffer), ptrPtr, sizePtr);
    } finally {
      giveBackScratch(buffer);
    }
  }

  /**
   * Takes a buffer of at least {@code size} bytes; give it back with {@link #giveBackScratch}.
   * While taken, the VM holds no scratch: a host call made meanwhile (the plugin's allocator may
   * make one) gets a buffer of its own and cannot overwrite this one.
   */
  private byte[] takeScratch(int size) {
    byte[] b = scratch;
    scratch = NO_SCRATCH;
    if (b.length >= size) {
      return b;
    }
    return new byte[Math.max(size, Math.min(SCRATCH_KEPT, b.length * 2 + 256))];
  }

  /** Keeps a buffer {@link #takeScratch} gave for the next use, unless it is too big to keep. */
  private void giveBackScratch(byte[] b) {
    if (b.length <= SCRATCH_KEPT && b.length > scratch.length) {
      scratch = b;
    }
  }

  /**
   * The size of a VM's linear memory.
   *
   * @return bytes; 0 for a runtime without linear memory (the Null VM)
   */
  static long sizeOf(WasmVm vm) {
    Optional<LinearMemory> memory = vm.memory();
    return memory.isPresent() ? memory.get().size() : 0;
  }
}

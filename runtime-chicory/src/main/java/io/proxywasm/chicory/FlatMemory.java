package io.proxywasm.chicory;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ConstantEvaluators;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A wasm linear memory held in one contiguous {@code byte[]}, replaced by a larger copy when the
 * module grows it.
 *
 * <p>Chicory's {@code ByteArrayMemory} keeps one array per 64 KiB page, so every access first looks
 * up its page. Here an access is one little-endian array view, and the array's own bounds check is
 * the memory's: the array is always exactly {@link #pages()} pages long. An access out of bounds
 * fails as it does on Chicory's memories, with the same exception and message.
 *
 * <p><b>Threads.</b> The array field is not volatile: the host enters a VM on one thread at a time,
 * under a lock that orders every access, host calls included, after the last {@link #grow}. A
 * shared memory (threads proposal) is accepted and its atomic operations are atomic, but a grow is
 * not published to a thread already inside the module; the host never runs one that way.
 */
final class FlatMemory implements Memory {
  /** The system property that picks the memory of every module: {@code flat} or {@code paged}. */
  static final String PROPERTY = "io.proxywasm.chicory.memory";

  /** Whether modules get a flat memory; read once. */
  static final boolean SELECTED = selected(System.getProperty(PROPERTY));

  private static final VarHandle BYTE = MethodHandles.arrayElementVarHandle(byte[].class);
  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle FLOAT =
      MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle DOUBLE =
      MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

  private final MemoryLimits limits;
  private final int maximumPages;

  /** The memory's bytes; its length is always a whole number of pages. */
  private byte[] data;

  private DataSegment[] dataSegments;

  /** Waiters of a shared memory, by address; null for an unshared one. Guarded by itself. */
  private final Map<Integer, Waiters> waiters;

  /** Threads waiting on one address, and how many of them are told to wake. Guarded by itself. */
  private static final class Waiters {
    int waiting;
    int woken;
  }

  FlatMemory(MemoryLimits limits) {
    this.limits = limits;
    this.maximumPages = Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES);
    this.data = new byte[Memory.bytes(limits.initialPages())];
    this.waiters = limits.shared() ? new HashMap<>() : null;
  }

  /**
   * Reads the property's value: flat unless it says {@code paged}.
   *
   * @throws IllegalArgumentException for a value other than {@code flat} or {@code paged}
   */
  static boolean selected(String value) {
    if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("flat")) {
      return true;
    }
    if (value.trim().equalsIgnoreCase("paged")) {
      return false;
    }
    throw new IllegalArgumentException(
        "The system property " + PROPERTY + " must be flat or paged, not: " + value);
  }

  // ---------------------------------------------------------------------------------------------
  // Size

  @Override
  public int pages() {
    return data.length >>> 16;
  }

  @Override
  public int grow(int size) {
    if (shared()) {
      synchronized (this) {
        return growNow(size);
      }
    }
    return growNow(size);
  }

  private int growNow(int size) {
    byte[] old = data;
    int before = old.length >>> 16;
    int after = before + size;
    if (after > maximumPages || after < before) {
      return -1;
    }
    if (after == before) {
      return before;
    }
    byte[] grown;
    try {
      grown = Arrays.copyOf(old, Memory.bytes(after));
    } catch (OutOfMemoryError e) {
      return -1; // the module sees a failed grow, as when over its maximum
    }
    data = grown;
    return before;
  }

  @Override
  public int initialPages() {
    return limits.initialPages();
  }

  @Override
  public int maximumPages() {
    return maximumPages;
  }

  @Override
  public boolean shared() {
    return limits.shared();
  }

  // ---------------------------------------------------------------------------------------------
  // Data segments

  @Override
  public void initialize(Instance instance, DataSegment[] dataSegments) {
    initialize(instance, dataSegments, 0);
  }

  @Override
  public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
    this.dataSegments = dataSegments;
    if (dataSegments == null) {
      return;
    }
    for (DataSegment segment : dataSegments) {
      if (segment instanceof ActiveDataSegment active) {
        if (active.index() != memoryIndex) {
          continue;
        }
        byte[] bytes = active.data();
        int offset =
            (int) ConstantEvaluators.computeConstantValue(instance, active.offsetInstructions())[0];
        if (!inside(offset, bytes.length, data.length)) {
          throw new UninstantiableException(outOfBoundsMessage(offset, bytes.length));
        }
        System.arraycopy(bytes, 0, data, offset, bytes.length);
      } else if (!(segment instanceof PassiveDataSegment)) {
        throw new ChicoryException("Data segment should be active or passive: " + segment);
      }
    }
  }

  @Override
  public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
    write(dest, dataSegments[segmentId].data(), offset, size);
  }

  @Override
  public void drop(int segment) {
    dataSegments[segment] = PassiveDataSegment.EMPTY;
  }

  // ---------------------------------------------------------------------------------------------
  // Bounds

  /** Whether {@code [addr, addr + size)} lies in {@code [0, limit)}; an empty range may end it. */
  private static boolean inside(int addr, int size, int limit) {
    return addr >= 0 && size >= 0 && addr <= limit && (size == 0 || addr + size <= limit);
  }

  private String outOfBoundsMessage(int addr, int size) {
    return "out of bounds memory access: attempted to access address: "
        + addr
        + " but limit is: "
        + data.length
        + " and size: "
        + size;
  }

  /** The trap of an access out of bounds, as Chicory's memories raise it. */
  private WasmRuntimeException outOfBounds(int addr, int size) {
    return new WasmRuntimeException(outOfBoundsMessage(addr, size));
  }

  /**
   * The trap of a load out of bounds. Chicory's paged memory loads a value that crosses a page
   * boundary byte by byte, and names the first byte outside; this memory names the same.
   */
  private WasmRuntimeException readOutOfBounds(int addr, int size) {
    if ((addr & (PAGE_SIZE - 1)) + size > PAGE_SIZE) {
      int limit = data.length;
      for (int i = 0; i < size; i++) {
        int at = addr + i;
        if (at < 0 || at >= limit) {
          return outOfBounds(at, 1);
        }
      }
    }
    return outOfBounds(addr, size);
  }

  private void check(int addr, int size, int limit) {
    if (!inside(addr, size, limit)) {
      throw new WasmRuntimeException(
          "out of bounds memory access: attempted to access address: "
              + addr
              + " but limit is: "
              + limit
              + " and size: "
              + size);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Bulk

  @Override
  public void write(int addr, byte[] source, int offset, int size) {
    check(offset, size, source.length);
    byte[] d = data;
    check(addr, size, d.length);
    System.arraycopy(source, offset, d, addr, size);
  }

  /**
   * Copies {@code size} bytes from {@code addr} into a caller's array: {@link #readBytes} without
   * its new array, for the host's reads into buffers it reuses.
   */
  void read(int addr, byte[] target, int offset, int size) {
    check(offset, size, target.length);
    byte[] d = data;
    check(addr, size, d.length);
    System.arraycopy(d, addr, target, offset, size);
  }

  @Override
  public byte[] readBytes(int addr, int len) {
    byte[] d = data;
    check(addr, len, d.length);
    return Arrays.copyOfRange(d, addr, addr + len);
  }

  @Override
  public void zero() {
    Arrays.fill(data, (byte) 0);
  }

  @Override
  public void fill(byte value, int fromIndex, int toIndex) {
    byte[] d = data;
    check(fromIndex, toIndex - fromIndex, d.length);
    Arrays.fill(d, fromIndex, toIndex, value);
  }

  @Override
  public void copy(int dest, int src, int size) {
    byte[] d = data;
    check(dest, size, d.length);
    check(src, size, d.length);
    System.arraycopy(d, src, d, dest, size); // correct for overlapping ranges
  }

  // ---------------------------------------------------------------------------------------------
  // Loads and stores

  @Override
  public byte read(int addr) {
    try {
      return data[addr];
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 1);
    }
  }

  @Override
  public long readU8(int addr) {
    return read(addr) & 0xFFL;
  }

  @Override
  public long readI8(int addr) {
    return read(addr);
  }

  @Override
  public void writeByte(int addr, byte value) {
    try {
      data[addr] = value;
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 1);
    }
  }

  @Override
  public short readShort(int addr) {
    try {
      return (short) SHORT.get(data, addr);
    } catch (IndexOutOfBoundsException e) {
      throw readOutOfBounds(addr, 2);
    }
  }

  @Override
  public long readI16(int addr) {
    return readShort(addr);
  }

  @Override
  public long readU16(int addr) {
    return readShort(addr) & 0xFFFFL;
  }

  @Override
  public void writeShort(int addr, short value) {
    try {
      SHORT.set(data, addr, value);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 2);
    }
  }

  @Override
  public int readInt(int addr) {
    try {
      return (int) INT.get(data, addr);
    } catch (IndexOutOfBoundsException e) {
      throw readOutOfBounds(addr, 4);
    }
  }

  @Override
  public long readI32(int addr) {
    return readInt(addr);
  }

  @Override
  public long readU32(int addr) {
    return readInt(addr) & 0xFFFFFFFFL;
  }

  @Override
  public void writeI32(int addr, int value) {
    try {
      INT.set(data, addr, value);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 4);
    }
  }

  @Override
  public long readLong(int addr) {
    try {
      return (long) LONG.get(data, addr);
    } catch (IndexOutOfBoundsException e) {
      throw readOutOfBounds(addr, 8);
    }
  }

  @Override
  public long readI64(int addr) {
    return readLong(addr);
  }

  @Override
  public void writeLong(int addr, long value) {
    try {
      LONG.set(data, addr, value);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 8);
    }
  }

  @Override
  public float readFloat(int addr) {
    try {
      return (float) FLOAT.get(data, addr);
    } catch (IndexOutOfBoundsException e) {
      throw readOutOfBounds(addr, 4);
    }
  }

  @Override
  public long readF32(int addr) {
    return readInt(addr);
  }

  @Override
  public void writeF32(int addr, float value) {
    try {
      FLOAT.set(data, addr, value);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 4);
    }
  }

  @Override
  public double readDouble(int addr) {
    try {
      return (double) DOUBLE.get(data, addr);
    } catch (IndexOutOfBoundsException e) {
      throw readOutOfBounds(addr, 8);
    }
  }

  @Override
  public long readF64(int addr) {
    return readLong(addr);
  }

  @Override
  public void writeF64(int addr, double value) {
    try {
      DOUBLE.set(data, addr, value);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 8);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Atomics. Bytes, ints and longs have atomic array views; a short is updated through the aligned
  // int that holds it. The module checks alignment before it gets here.

  @Override
  public void atomicFence() {
    VarHandle.fullFence();
  }

  @Override
  public byte atomicReadByte(int addr) {
    try {
      return (byte) BYTE.getVolatile(data, addr);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 1);
    }
  }

  @Override
  public short atomicReadShort(int addr) {
    try {
      int word = (int) INT.getVolatile(data, addr & ~3);
      return (short) (word >>> shift(addr));
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 2);
    }
  }

  @Override
  public int atomicReadInt(int addr) {
    try {
      return (int) INT.getVolatile(data, addr);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 4);
    }
  }

  @Override
  public long atomicReadLong(int addr) {
    try {
      return (long) LONG.getVolatile(data, addr);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 8);
    }
  }

  @Override
  public void atomicWriteByte(int addr, byte value) {
    try {
      BYTE.setVolatile(data, addr, value);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 1);
    }
  }

  @Override
  public void atomicWriteShort(int addr, short value) {
    shortUpdate(addr, value, ShortOp.XCHG);
  }

  @Override
  public void atomicWriteInt(int addr, int value) {
    try {
      INT.setVolatile(data, addr, value);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 4);
    }
  }

  @Override
  public void atomicWriteLong(int addr, long value) {
    try {
      LONG.setVolatile(data, addr, value);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 8);
    }
  }

  @Override
  public byte atomicAddByte(int addr, byte delta) {
    try {
      return (byte) BYTE.getAndAdd(data, addr, delta);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 1);
    }
  }

  @Override
  public byte atomicAndByte(int addr, byte mask) {
    try {
      return (byte) BYTE.getAndBitwiseAnd(data, addr, mask);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 1);
    }
  }

  @Override
  public byte atomicOrByte(int addr, byte mask) {
    try {
      return (byte) BYTE.getAndBitwiseOr(data, addr, mask);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 1);
    }
  }

  @Override
  public byte atomicXorByte(int addr, byte mask) {
    try {
      return (byte) BYTE.getAndBitwiseXor(data, addr, mask);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 1);
    }
  }

  @Override
  public byte atomicXchgByte(int addr, byte value) {
    try {
      return (byte) BYTE.getAndSet(data, addr, value);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 1);
    }
  }

  @Override
  public byte atomicCmpxchgByte(int addr, byte expected, byte replacement) {
    try {
      return (byte) BYTE.compareAndExchange(data, addr, expected, replacement);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 1);
    }
  }

  /** An update of a short: the new value from the old one and the operand. */
  private enum ShortOp {
    ADD,
    AND,
    OR,
    XOR,
    XCHG;

    int apply(int old, int operand) {
      return switch (this) {
        case ADD -> old + operand;
        case AND -> old & operand;
        case OR -> old | operand;
        case XOR -> old ^ operand;
        case XCHG -> operand;
      };
    }
  }

  /** Where a short's bits start in the aligned int that holds it (little-endian). */
  private static int shift(int addr) {
    return (addr & 2) << 3;
  }

  private short shortUpdate(int addr, short operand, ShortOp op) {
    try {
      byte[] d = data;
      int aligned = addr & ~3;
      int shift = shift(addr);
      int mask = 0xFFFF << shift;
      while (true) {
        int word = (int) INT.getVolatile(d, aligned);
        int old = (word & mask) >>> shift;
        int updated = (word & ~mask) | ((op.apply(old, operand) & 0xFFFF) << shift);
        if (INT.compareAndSet(d, aligned, word, updated)) {
          return (short) old;
        }
      }
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 2);
    }
  }

  @Override
  public short atomicAddShort(int addr, short delta) {
    return shortUpdate(addr, delta, ShortOp.ADD);
  }

  @Override
  public short atomicAndShort(int addr, short mask) {
    return shortUpdate(addr, mask, ShortOp.AND);
  }

  @Override
  public short atomicOrShort(int addr, short mask) {
    return shortUpdate(addr, mask, ShortOp.OR);
  }

  @Override
  public short atomicXorShort(int addr, short mask) {
    return shortUpdate(addr, mask, ShortOp.XOR);
  }

  @Override
  public short atomicXchgShort(int addr, short value) {
    return shortUpdate(addr, value, ShortOp.XCHG);
  }

  @Override
  public short atomicCmpxchgShort(int addr, short expected, short replacement) {
    try {
      byte[] d = data;
      int aligned = addr & ~3;
      int shift = shift(addr);
      int mask = 0xFFFF << shift;
      while (true) {
        int word = (int) INT.getVolatile(d, aligned);
        short old = (short) ((word & mask) >>> shift);
        if (old != expected) {
          return old;
        }
        int updated = (word & ~mask) | ((replacement & 0xFFFF) << shift);
        if (INT.compareAndSet(d, aligned, word, updated)) {
          return old;
        }
      }
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 2);
    }
  }

  @Override
  public int atomicAddInt(int addr, int delta) {
    try {
      return (int) INT.getAndAdd(data, addr, delta);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 4);
    }
  }

  @Override
  public int atomicAndInt(int addr, int mask) {
    try {
      return (int) INT.getAndBitwiseAnd(data, addr, mask);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 4);
    }
  }

  @Override
  public int atomicOrInt(int addr, int mask) {
    try {
      return (int) INT.getAndBitwiseOr(data, addr, mask);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 4);
    }
  }

  @Override
  public int atomicXorInt(int addr, int mask) {
    try {
      return (int) INT.getAndBitwiseXor(data, addr, mask);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 4);
    }
  }

  @Override
  public int atomicXchgInt(int addr, int value) {
    try {
      return (int) INT.getAndSet(data, addr, value);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 4);
    }
  }

  @Override
  public int atomicCmpxchgInt(int addr, int expected, int replacement) {
    try {
      return (int) INT.compareAndExchange(data, addr, expected, replacement);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 4);
    }
  }

  @Override
  public long atomicAddLong(int addr, long delta) {
    try {
      return (long) LONG.getAndAdd(data, addr, delta);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 8);
    }
  }

  @Override
  public long atomicAndLong(int addr, long mask) {
    try {
      return (long) LONG.getAndBitwiseAnd(data, addr, mask);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 8);
    }
  }

  @Override
  public long atomicOrLong(int addr, long mask) {
    try {
      return (long) LONG.getAndBitwiseOr(data, addr, mask);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 8);
    }
  }

  @Override
  public long atomicXorLong(int addr, long mask) {
    try {
      return (long) LONG.getAndBitwiseXor(data, addr, mask);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 8);
    }
  }

  @Override
  public long atomicXchgLong(int addr, long value) {
    try {
      return (long) LONG.getAndSet(data, addr, value);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 8);
    }
  }

  @Override
  public long atomicCmpxchgLong(int addr, long expected, long replacement) {
    try {
      return (long) LONG.compareAndExchange(data, addr, expected, replacement);
    } catch (IndexOutOfBoundsException e) {
      throw outOfBounds(addr, 8);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Wait and notify (shared memories only)

  /** Chicory's memories no longer lend a lock per address; neither does this one. */
  @Override
  @Deprecated(forRemoval = true)
  @SuppressWarnings("removal")
  public Object lock(int address) {
    throw new UnsupportedOperationException("a flat memory has no lock per address");
  }

  @Override
  @Deprecated(forRemoval = true)
  @SuppressWarnings("removal")
  public int waitOn(int address, int expected, long timeout) {
    return await(address, () -> atomicReadInt(address) == expected, timeout);
  }

  @Override
  @Deprecated(forRemoval = true)
  @SuppressWarnings("removal")
  public int waitOn(int address, long expected, long timeout) {
    return await(address, () -> atomicReadLong(address) == expected, timeout);
  }

  @Override
  public int atomicWait(int addr, int expected, long timeout) {
    return await(addr, () -> atomicReadInt(addr) == expected, timeout);
  }

  @Override
  public int atomicWait(int addr, long expected, long timeout) {
    return await(addr, () -> atomicReadLong(addr) == expected, timeout);
  }

  private Waiters waitersAt(int address) {
    synchronized (waiters) {
      return waiters.computeIfAbsent(address, a -> new Waiters());
    }
  }

  /**
   * Waits at an address while its value is the expected one, as {@code memory.atomic.wait} does.
   *
   * @return 0 when woken, 1 when the value differs, 2 on timeout
   */
  private int await(int address, BooleanSupplier holds, long timeoutNanos) {
    if (!shared()) {
      throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
    }
    long deadline = timeoutNanos < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
    Waiters at = waitersAt(address);
    synchronized (at) {
      if (!holds.getAsBoolean()) {
        return 1;
      }
      at.waiting++;
      try {
        while (at.woken == 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return 2;
          }
          try {
            at.wait(left / 1_000_000L, (int) (left % 1_000_000L));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChicoryInterruptedException("Thread interrupted");
          }
        }
        return 0;
      } finally {
        if (at.woken > 0) {
          at.woken--;
        }
        at.waiting--;
      }
    }
  }

  @Override
  @Deprecated(forRemoval = true)
  @SuppressWarnings("removal")
  public int notify(int address, int maxThreads) {
    return atomicNotify(address, maxThreads);
  }

  @Override
  public int atomicNotify(int addr, int maxThreads) {
    if (!shared()) {
      return 0;
    }
    Waiters at;
    synchronized (waiters) {
      at = waiters.get(addr);
    }
    if (at == null) {
      return 0;
    }
    synchronized (at) {
      int sleeping = at.waiting - at.woken;
      int wake = maxThreads < 0 ? sleeping : Math.min(sleeping, maxThreads);
      if (wake > 0) {
        at.woken += wake;
        at.notifyAll();
      }
      return wake;
    }
  }
}

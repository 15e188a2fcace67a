package io.proxywasm.asm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The state of one module instance, the superclass of the class generated for a module: linear
 * memory as one {@code byte[]}, the table as function indices, the host functions; the generated
 * subclass adds one field per global. Translated functions are static methods of the subclass that
 * take the instance as their last argument.
 *
 * <p>Only the thread inside the module touches an instance, except {@link #interrupted}, which
 * {@code terminate()} sets from another thread.
 */
public abstract class AsmInstance {
  /** Linear memory 0, exactly its size in pages; an empty array when the module has none. */
  public byte[] memory = new byte[0];

  /** The most pages memory may grow to. */
  public int maximumPages;

  /** Table 0: function indices, -1 for a null entry. */
  public int[] table = new int[0];

  /** Passive data segments by index; an empty array once dropped or for an active segment. */
  public byte[][] data = new byte[0][];

  /**
   * Set by {@code terminate()}; checked at function entries and loop headers with an opaque read
   * ({@link #checkInterrupted}): unlike a volatile one it orders no other access, so the JIT still
   * keeps the memory array and its length in registers across a loop, and unlike a plain one it is
   * read again on every iteration.
   */
  boolean interrupted;

  private static final VarHandle INTERRUPTED;

  static {
    try {
      INTERRUPTED =
          MethodHandles.lookup().findVarHandle(AsmInstance.class, "interrupted", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Traps if {@code terminate()} asked the running call to stop.
   *
   * @param instance the instance
   */
  public static void checkInterrupted(AsmInstance instance) {
    if ((boolean) INTERRUPTED.getOpaque(instance)) {
      throw Trap.terminated();
    }
  }

  /** Asks the running call to stop; callable from any thread. */
  final void interrupt() {
    INTERRUPTED.setVolatile(this, true);
  }

  /** Clears the request to stop, once the call has ended. */
  final void clearInterrupt() {
    INTERRUPTED.setVolatile(this, false);
  }

  /** Calls the host functions the module imports. */
  HostCalls host;

  /** Creates an instance; the generated subclass's constructor calls it. */
  protected AsmInstance() {}

  /**
   * Sets every global to its initial value; generated.
   *
   * @param imported the values of imported globals, by global index
   */
  public abstract void initGlobals(long[] imported);

  /**
   * Calls a function of the module with arguments as {@code long}s; generated.
   *
   * @param function the function index, imports counted
   * @param args the arguments
   * @return the result as a {@code long}, or 0 for none
   */
  public abstract long invoke(int function, long[] args);

  /**
   * Returns the array for the arguments of a host call of {@code count} arguments, and enters the
   * call; {@link #callHost} leaves it.
   *
   * @param count the argument count
   * @return an array of that length, unused by the calls in progress
   */
  public final long[] hostArgs(int count) {
    return host.arguments(count);
  }

  /**
   * Calls imported function {@code index} with the arguments {@link #hostArgs} returned.
   *
   * @param index the import's function index
   * @param args the arguments
   * @return the result, or 0 for none
   */
  public final long callHost(int index, long[] args) {
    return host.call(index, args);
  }

  /**
   * memory.grow.
   *
   * @param pages how many pages to add
   * @param instance the instance
   * @return the old size in pages, or -1 if the memory cannot grow so much
   */
  public static int grow(int pages, AsmInstance instance) {
    byte[] old = instance.memory;
    int before = old.length >>> 16;
    long after = (long) before + Integer.toUnsignedLong(pages);
    if (after > instance.maximumPages) {
      return -1;
    }
    if (pages == 0) {
      return before;
    }
    try {
      instance.memory = Arrays.copyOf(old, (int) (after << 16));
    } catch (OutOfMemoryError e) {
      return -1;
    }
    return before;
  }

  /**
   * memory.init.
   *
   * @param destination the first byte written
   * @param offset the first byte of the segment read
   * @param size how many bytes
   * @param segment the data segment
   * @param instance the instance
   */
  public static void memoryInit(
      int destination, int offset, int size, int segment, AsmInstance instance) {
    byte[] source = instance.data[segment];
    byte[] memory = instance.memory;
    Ops.check(offset, size, source.length);
    Ops.check(destination, size, memory.length);
    System.arraycopy(source, offset, memory, destination, size);
  }

  /**
   * data.drop.
   *
   * @param segment the data segment
   * @param instance the instance
   */
  public static void dataDrop(int segment, AsmInstance instance) {
    instance.data[segment] = new byte[0];
  }

  /**
   * Looks up a table entry for call_indirect and checks its type.
   *
   * @param index the table index operand
   * @param type the canonical type the call expects
   * @param types the canonical type of every function
   * @param instance the instance
   * @return the function index
   */
  public static int indirect(int index, int type, int[] types, AsmInstance instance) {
    int[] table = instance.table;
    if (index < 0 || index >= table.length) {
      throw Trap.undefinedElement();
    }
    int function = table[index];
    if (function < 0) {
      throw Trap.uninitializedElement(index);
    }
    if (types[function] != type) {
      throw Trap.indirectCallTypeMismatch();
    }
    return function;
  }

  /**
   * table.size.
   *
   * @param instance the instance
   * @return the table's size
   */
  public static int tableSize(AsmInstance instance) {
    return instance.table.length;
  }
}

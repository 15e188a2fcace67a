package io.proxywasm.asm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The operations translated code calls: loads and stores through little-endian views of the
 * memory's {@code byte[]}, arithmetic that traps, and conversions. Each is small, so that the JIT
 * inlines it into the caller.
 *
 * <p>An address is an unsigned i32 plus the instruction's offset. The offset is passed as an {@code
 * int}, or -1 when it is 2^31 or more; a negative address or offset is outside any memory this
 * runtime holds (at most 2^31 - 65536 bytes).
 */
public final class Ops {
  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private Ops() {}

  // ---- loads ----------------------------------------------------------------------------------

  private static int ea(int address, int offset) {
    if ((address | offset) < 0) {
      throw Trap.outOfBounds();
    }
    return address + offset;
  }

  /**
   * i32.load8_s.
   *
   * @param address the address operand
   * @param offset the instruction's offset
   * @param memory the memory
   * @return the value
   */
  public static int load8s(int address, int offset, byte[] memory) {
    int at = ea(address, offset);
    try {
      return memory[at];
    } catch (IndexOutOfBoundsException e) {
      throw Trap.readOutOfBounds(at, 1, memory.length);
    }
  }

  /**
   * i32.load8_u.
   *
   * @param address the address operand
   * @param offset the instruction's offset
   * @param memory the memory
   * @return the value
   */
  public static int load8u(int address, int offset, byte[] memory) {
    return load8s(address, offset, memory) & 0xFF;
  }

  /**
   * i32.load16_s.
   *
   * @param address the address operand
   * @param offset the instruction's offset
   * @param memory the memory
   * @return the value
   */
  public static int load16s(int address, int offset, byte[] memory) {
    int at = ea(address, offset);
    try {
      return (short) SHORT.get(memory, at);
    } catch (IndexOutOfBoundsException e) {
      throw Trap.readOutOfBounds(at, 2, memory.length);
    }
  }

  /**
   * i32.load16_u.
   *
   * @param address the address operand
   * @param offset the instruction's offset
   * @param memory the memory
   * @return the value
   */
  public static int load16u(int address, int offset, byte[] memory) {
    return load16s(address, offset, memory) & 0xFFFF;
  }

  /**
   * i32.load.
   *
   * @param address the address operand
   * @param offset the instruction's offset
   * @param memory the memory
   * @return the value
   */
  public static int load32(int address, int offset, byte[] memory) {
    int at = ea(address, offset);
    try {
      return (int) INT.get(memory, at);
    } catch (IndexOutOfBoundsException e) {
      throw Trap.readOutOfBounds(at, 4, memory.length);
    }
  }

  /**
   * i64.load.
   *
   * @param address the address operand
   * @param offset the instruction's offset
   * @param memory the memory
   * @return the value
   */
  public static long load64(int address, int offset, byte[] memory) {
    int at = ea(address, offset);
    try {
      return (long) LONG.get(memory, at);
    } catch (IndexOutOfBoundsException e) {
      throw Trap.readOutOfBounds(at, 8, memory.length);
    }
  }

  // ---- stores ---------------------------------------------------------------------------------

  /**
   * The address of i32.store8, i64.store8 and i64.store32, whose trap on a negative address names
   * the address, as Chicory's interpreter does for these three.
   */
  private static int eaNamed(int address, int offset, int size, byte[] memory) {
    if (offset < 0) {
      throw Trap.outOfBounds();
    }
    if (address < 0) {
      throw Trap.outOfBounds(address + offset, size, memory.length);
    }
    return address + offset;
  }

  /**
   * i32.store8 and i64.store8 (wrapped).
   *
   * @param address the address operand
   * @param value the value
   * @param offset the instruction's offset
   * @param memory the memory
   */
  public static void store8(int address, int value, int offset, byte[] memory) {
    int at = eaNamed(address, offset, 1, memory);
    try {
      memory[at] = (byte) value;
    } catch (IndexOutOfBoundsException e) {
      throw Trap.outOfBounds(at, 1, memory.length);
    }
  }

  /**
   * i32.store16.
   *
   * @param address the address operand
   * @param value the value
   * @param offset the instruction's offset
   * @param memory the memory
   */
  public static void store16(int address, int value, int offset, byte[] memory) {
    int at = ea(address, offset);
    try {
      SHORT.set(memory, at, (short) value);
    } catch (IndexOutOfBoundsException e) {
      throw Trap.outOfBounds(at, 2, memory.length);
    }
  }

  /**
   * i32.store.
   *
   * @param address the address operand
   * @param value the value
   * @param offset the instruction's offset
   * @param memory the memory
   */
  public static void store32(int address, int value, int offset, byte[] memory) {
    int at = ea(address, offset);
    try {
      INT.set(memory, at, value);
    } catch (IndexOutOfBoundsException e) {
      throw Trap.outOfBounds(at, 4, memory.length);
    }
  }

  /**
   * i64.store32 (wrapped).
   *
   * @param address the address operand
   * @param value the value
   * @param offset the instruction's offset
   * @param memory the memory
   */
  public static void store32Wrapped(int address, int value, int offset, byte[] memory) {
    int at = eaNamed(address, offset, 4, memory);
    try {
      INT.set(memory, at, value);
    } catch (IndexOutOfBoundsException e) {
      throw Trap.outOfBounds(at, 4, memory.length);
    }
  }

  /**
   * i64.store.
   *
   * @param address the address operand
   * @param value the value
   * @param offset the instruction's offset
   * @param memory the memory
   */
  public static void store64(int address, long value, int offset, byte[] memory) {
    int at = ea(address, offset);
    try {
      LONG.set(memory, at, value);
    } catch (IndexOutOfBoundsException e) {
      throw Trap.outOfBounds(at, 8, memory.length);
    }
  }

  // ---- bulk memory ----------------------------------------------------------------------------

  private static boolean inside(int address, int size, int limit) {
    return address >= 0 && size >= 0 && address <= limit && (size == 0 || address + size <= limit);
  }

  static void check(int address, int size, int limit) {
    if (!inside(address, size, limit) || (size > 0 && address + size < 0)) {
      throw Trap.outOfBounds(address, size, limit);
    }
  }

  /**
   * memory.copy.
   *
   * @param destination the first byte written
   * @param source the first byte read
   * @param size how many bytes
   * @param memory the memory
   */
  public static void copy(int destination, int source, int size, byte[] memory) {
    check(destination, size, memory.length);
    check(source, size, memory.length);
    System.arraycopy(memory, source, memory, destination, size);
  }

  /**
   * memory.fill.
   *
   * @param destination the first byte written
   * @param value the byte
   * @param size how many bytes
   * @param memory the memory
   */
  public static void fill(int destination, int value, int size, byte[] memory) {
    check(destination, size, memory.length);
    Arrays.fill(memory, destination, destination + size, (byte) value);
  }

  // ---- integer arithmetic ---------------------------------------------------------------------

  /**
   * i32.div_s.
   *
   * @param a the dividend
   * @param b the divisor
   * @return the quotient
   */
  public static int divS(int a, int b) {
    if (b == 0) {
      throw Trap.divideByZero();
    }
    if (a == Integer.MIN_VALUE && b == -1) {
      throw Trap.overflow();
    }
    return a / b;
  }

  /**
   * i32.div_u.
   *
   * @param a the dividend
   * @param b the divisor
   * @return the quotient
   */
  public static int divU(int a, int b) {
    if (b == 0) {
      throw Trap.divideByZero();
    }
    return Integer.divideUnsigned(a, b);
  }

  /**
   * i32.rem_s.
   *
   * @param a the dividend
   * @param b the divisor
   * @return the remainder
   */
  public static int remS(int a, int b) {
    if (b == 0) {
      throw Trap.divideByZero();
    }
    return a % b;
  }

  /**
   * i32.rem_u.
   *
   * @param a the dividend
   * @param b the divisor
   * @return the remainder
   */
  public static int remU(int a, int b) {
    if (b == 0) {
      throw Trap.divideByZero();
    }
    return Integer.remainderUnsigned(a, b);
  }

  /**
   * i64.div_s.
   *
   * @param a the dividend
   * @param b the divisor
   * @return the quotient
   */
  public static long divS(long a, long b) {
    if (b == 0) {
      throw Trap.divideByZero();
    }
    if (a == Long.MIN_VALUE && b == -1) {
      throw Trap.overflow();
    }
    return a / b;
  }

  /**
   * i64.div_u.
   *
   * @param a the dividend
   * @param b the divisor
   * @return the quotient
   */
  public static long divU(long a, long b) {
    if (b == 0) {
      throw Trap.divideByZero();
    }
    return Long.divideUnsigned(a, b);
  }

  /**
   * i64.rem_s.
   *
   * @param a the dividend
   * @param b the divisor
   * @return the remainder
   */
  public static long remS(long a, long b) {
    if (b == 0) {
      throw Trap.divideByZero();
    }
    return a % b;
  }

  /**
   * i64.rem_u.
   *
   * @param a the dividend
   * @param b the divisor
   * @return the remainder
   */
  public static long remU(long a, long b) {
    if (b == 0) {
      throw Trap.divideByZero();
    }
    return Long.remainderUnsigned(a, b);
  }

  // ---- floating point -------------------------------------------------------------------------

  /**
   * f32.trunc.
   *
   * @param x the value
   * @return x rounded toward zero
   */
  public static float trunc(float x) {
    return (float) (x < 0 ? Math.ceil(x) : Math.floor(x));
  }

  /**
   * f64.trunc.
   *
   * @param x the value
   * @return x rounded toward zero
   */
  public static double trunc(double x) {
    return x < 0 ? Math.ceil(x) : Math.floor(x);
  }

  // ---- conversions ----------------------------------------------------------------------------

  private static double checkedTrunc(double x, double lowExclusive, double highExclusive) {
    if (Double.isNaN(x)) {
      throw Trap.invalidConversion();
    }
    if (x <= lowExclusive || x >= highExclusive) {
      throw Trap.overflow();
    }
    return x;
  }

  /**
   * i32.trunc_f32_s and i32.trunc_f64_s.
   *
   * @param x the value
   * @return the integer
   */
  public static int i32TruncS(double x) {
    return (int) checkedTrunc(x, -2147483649.0, 2147483648.0);
  }

  /**
   * i32.trunc_f32_u and i32.trunc_f64_u.
   *
   * @param x the value
   * @return the integer, unsigned
   */
  public static int i32TruncU(double x) {
    return (int) (long) checkedTrunc(x, -1.0, 4294967296.0);
  }

  /**
   * i64.trunc_f32_s and i64.trunc_f64_s.
   *
   * @param x the value
   * @return the integer
   */
  public static long i64TruncS(double x) {
    if (Double.isNaN(x)) {
      throw Trap.invalidConversion();
    }
    if (x < -9223372036854775808.0 || x >= 9223372036854775808.0) {
      throw Trap.overflow();
    }
    return (long) x;
  }

  /**
   * i64.trunc_f32_u and i64.trunc_f64_u.
   *
   * @param x the value
   * @return the integer, unsigned
   */
  public static long i64TruncU(double x) {
    checkedTrunc(x, -1.0, 18446744073709551616.0);
    return x < 9223372036854775808.0
        ? (long) x
        : (long) (x - 9223372036854775808.0) ^ Long.MIN_VALUE;
  }

  /**
   * i32.trunc_sat_f32_u and i32.trunc_sat_f64_u.
   *
   * @param x the value
   * @return the integer, unsigned, saturated
   */
  public static int i32TruncSatU(double x) {
    if (Double.isNaN(x) || x <= -1.0) {
      return 0;
    }
    if (x >= 4294967296.0) {
      return -1;
    }
    return (int) (long) x;
  }

  /**
   * i64.trunc_sat_f32_u and i64.trunc_sat_f64_u.
   *
   * @param x the value
   * @return the integer, unsigned, saturated
   */
  public static long i64TruncSatU(double x) {
    if (Double.isNaN(x) || x <= -1.0) {
      return 0;
    }
    if (x >= 18446744073709551616.0) {
      return -1;
    }
    return x < 9223372036854775808.0
        ? (long) x
        : (long) (x - 9223372036854775808.0) ^ Long.MIN_VALUE;
  }

  /**
   * f32.convert_i64_u.
   *
   * @param x the unsigned integer
   * @return the nearest float
   */
  public static float f32ConvertU(long x) {
    if (x >= 0) {
      return (float) x;
    }
    // halve keeping the lowest bit sticky, so that rounding stays correct, then double
    return (float) ((x >>> 1) | (x & 1)) * 2.0f;
  }

  /**
   * f64.convert_i64_u.
   *
   * @param x the unsigned integer
   * @return the nearest double
   */
  public static double f64ConvertU(long x) {
    if (x >= 0) {
      return (double) x;
    }
    return (double) ((x >>> 1) | (x & 1)) * 2.0;
  }
}

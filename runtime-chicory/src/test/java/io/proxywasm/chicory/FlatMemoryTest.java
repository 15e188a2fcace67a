package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** {@link FlatMemory} against Chicory's paged memory: the same values, sizes and traps. */
class FlatMemoryTest {
  private static final int PAGE = Memory.PAGE_SIZE;

  private static List<Memory> both(int initial, int maximum) {
    MemoryLimits limits = new MemoryLimits(initial, maximum);
    return List.of(new FlatMemory(limits), new ByteArrayMemory(limits));
  }

  /** Runs an access on both memories and checks they fail alike, or both succeed. */
  private static void sameOutcome(int initial, Consumer<Memory> access) {
    String[] messages = new String[2];
    Class<?>[] types = new Class<?>[2];
    List<Memory> memories = both(initial, 4);
    for (int i = 0; i < 2; i++) {
      try {
        access.accept(memories.get(i));
      } catch (RuntimeException e) {
        messages[i] = e.getMessage();
        types[i] = e.getClass();
      }
    }
    assertEquals(types[1], types[0], "exception type");
    assertEquals(messages[1], messages[0], "message");
  }

  @Test
  void loadsAndStoresAreLittleEndianAndAgreeWithPages() {
    for (Memory m : both(1, 2)) {
      m.writeLong(8, 0x0102030405060708L);
      assertEquals(0x08, m.read(8));
      assertEquals(0x05060708, m.readInt(8));
      assertEquals(0x0708, m.readShort(8));
      assertEquals(0x0102030405060708L, m.readLong(8));
      m.writeF64(16, 1.5);
      assertEquals(1.5, m.readDouble(16));
      m.writeF32(24, -2.25f);
      assertEquals(-2.25f, m.readFloat(24));
      m.writeI32(PAGE - 4, -1);
      assertEquals(0xFFFFFFFFL, m.readU32(PAGE - 4));
      assertEquals(0xFFFFL, m.readU16(PAGE - 2));
      assertEquals(0xFFL, m.readU8(PAGE - 1));
    }
  }

  @Test
  void outOfBoundsTrapsAsChicoryDoes() {
    sameOutcome(1, m -> m.read(PAGE));
    sameOutcome(1, m -> m.read(-1));
    sameOutcome(1, m -> m.readInt(PAGE - 2));
    sameOutcome(1, m -> m.readInt(PAGE));
    sameOutcome(1, m -> m.readLong(PAGE - 4));
    sameOutcome(1, m -> m.readShort(PAGE - 1));
    sameOutcome(1, m -> m.readInt(-2));
    sameOutcome(1, m -> m.readInt(2 * PAGE - 2));
    sameOutcome(1, m -> m.readInt(3 * PAGE));
    sameOutcome(1, m -> m.readFloat(PAGE - 1));
    sameOutcome(1, m -> m.readDouble(PAGE - 4));
    sameOutcome(1, m -> m.writeF32(PAGE - 2, 1f));
    sameOutcome(1, m -> m.writeF64(PAGE - 2, 1d));
    sameOutcome(1, m -> m.writeI32(PAGE - 1, 1));
    sameOutcome(1, m -> m.writeShort(PAGE, (short) 1));
    sameOutcome(1, m -> m.writeLong(Integer.MIN_VALUE, 1));
    sameOutcome(1, m -> m.readBytes(PAGE - 1, 2));
    sameOutcome(1, m -> m.write(PAGE - 1, new byte[2]));
    sameOutcome(1, m -> m.write(0, new byte[2], 1, 2));
    sameOutcome(1, m -> m.fill((byte) 1, PAGE - 1, PAGE + 1));
    sameOutcome(1, m -> m.copy(PAGE - 1, 0, 2));
    sameOutcome(1, m -> m.copy(0, PAGE - 1, 2));
    sameOutcome(1, m -> m.atomicAddInt(PAGE, 1));
    sameOutcome(0, m -> m.read(0));
    sameOutcome(0, m -> m.readBytes(0, 0));
    for (Memory m : both(1, 1)) {
      ChicoryException e = assertThrows(ChicoryException.class, () -> m.readInt(PAGE));
      assertEquals(
          "out of bounds memory access: attempted to access address: 65536 but limit is: 65536"
              + " and size: 4",
          e.getMessage());
    }
  }

  @Test
  void growHonoursTheMaximumAndKeepsTheBytes() {
    FlatMemory m = new FlatMemory(new MemoryLimits(1, 3));
    m.writeI32(PAGE - 4, 42);
    assertEquals(1, m.grow(1));
    assertEquals(2, m.pages());
    assertEquals(42, m.readInt(PAGE - 4));
    m.writeLong(2 * PAGE - 8, 7);
    assertEquals(-1, m.grow(2));
    assertEquals(2, m.pages());
    assertEquals(2, m.grow(0));
    assertEquals(-1, m.grow(Integer.MAX_VALUE));
    assertEquals(2, m.grow(1));
    assertEquals(3, m.pages());
    assertEquals(7, m.readLong(2 * PAGE - 8));
    assertEquals(0, m.readLong(2 * PAGE));
    assertEquals(3, m.maximumPages());
    assertEquals(1, m.initialPages());
    assertFalse(m.shared());
  }

  @Test
  void bulkOperations() {
    for (Memory m : both(1, 1)) {
      m.write(10, new byte[] {1, 2, 3, 4, 5}, 1, 3);
      assertArrayEquals(new byte[] {2, 3, 4}, m.readBytes(10, 3));
      m.copy(11, 10, 3);
      assertArrayEquals(new byte[] {2, 2, 3, 4}, m.readBytes(10, 4));
      m.copy(10, 11, 3);
      assertArrayEquals(new byte[] {2, 3, 4, 4}, m.readBytes(10, 4));
      m.fill((byte) 9, 12, 14);
      assertArrayEquals(new byte[] {2, 3, 9, 9}, m.readBytes(10, 4));
      m.zero();
      assertArrayEquals(new byte[4], m.readBytes(10, 4));
      m.writeCString(100, "hi");
      assertEquals("hi", m.readCString(100));
    }
  }

  @Test
  void atomicsAgreeWithPages() {
    for (Memory m : both(1, 1)) {
      m.writeI32(0, 0x11223344);
      assertEquals(0x3344, m.atomicAddShort(0, (short) 1));
      assertEquals(0x1122, m.atomicXchgShort(2, (short) 0x7777));
      assertEquals(0x77773345, m.readInt(0));
      assertEquals(0x3345, m.atomicCmpxchgShort(0, (short) 0x3345, (short) 0x0102));
      assertEquals(0x0102, m.atomicCmpxchgShort(0, (short) 0x3345, (short) 0x0505));
      assertEquals(0x77770102, m.atomicReadInt(0));
      assertEquals(0x7777, m.atomicReadShort(2));
      assertEquals(0x77770102, m.atomicOrInt(0, 0x10));
      assertEquals(0x77770112, m.atomicAndInt(0, 0xFF));
      assertEquals(0x12, m.atomicXorInt(0, 0x12));
      assertEquals(0, m.atomicCmpxchgInt(0, 0, 5));
      m.atomicWriteLong(8, 3);
      assertEquals(3, m.atomicAddLong(8, 4));
      assertEquals(7, m.atomicXchgLong(8, 1));
      assertEquals(1, m.atomicCmpxchgLong(8, 1, 2));
      assertEquals(2, m.atomicReadLong(8));
      m.atomicWriteByte(20, (byte) 1);
      assertEquals(1, m.atomicAddByte(20, (byte) 2));
      assertEquals(3, m.atomicReadByte(20));
      m.atomicWriteShort(22, (short) -2);
      assertEquals(-2, m.readShort(22));
      assertEquals(0, m.atomicNotify(0, 1));
      assertThrows(ChicoryException.class, () -> m.atomicWait(0, 5, 0L));
    }
  }

  @Test
  void sharedMemoryWaitsAndWakes() throws Exception {
    FlatMemory m = new FlatMemory(new MemoryLimits(1, 1, true));
    assertTrue(m.shared());
    assertEquals(1, m.atomicWait(0, 5, 1_000_000L), "value differs");
    assertEquals(2, m.atomicWait(0, 0, 1_000_000L), "timeout");
    int[] result = new int[1];
    Thread waiter = new Thread(() -> result[0] = m.atomicWait(0, 0, -1L));
    waiter.start();
    while (m.atomicNotify(0, 1) == 0) {
      Thread.onSpinWait();
    }
    waiter.join(10_000);
    assertFalse(waiter.isAlive());
    assertEquals(0, result[0]);
  }

  @Test
  void propertyValues() {
    assertTrue(FlatMemory.selected(null), "flat is the default");
    assertTrue(FlatMemory.selected(" "));
    assertFalse(FlatMemory.selected("paged"));
    assertTrue(FlatMemory.selected("flat"));
    assertThrows(IllegalArgumentException.class, () -> FlatMemory.selected("contiguous"));
  }
}

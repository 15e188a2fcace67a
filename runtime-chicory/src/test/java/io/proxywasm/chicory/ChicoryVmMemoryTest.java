package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.MemoryAccessException;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmVm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ChicoryVmMemoryTest {
  private static final int PAGE = 65536;
  private static final String MODULE =
      """
      (module
        (memory 1 3)
        (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
        (func (export "load") (param i32) (result i32) local.get 0 i32.load)
        (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store))
      """;

  private final WasmVm vm = Wat.linked(new RecordingIntegration(), MODULE);

  private static void outOfBounds(Executable access) {
    assertThrows(MemoryAccessException.class, access);
  }

  private long call(String name, FunctionType type, long... args) {
    long[] results = vm.function(name, type).orElseThrow().call(args);
    return results.length == 0 ? 0 : (int) results[0];
  }

  @Test
  void lastByteIsAccessibleAndOnePastIsNot() {
    assertEquals(PAGE, vm.memory().orElseThrow().size());

    vm.memory().orElseThrow().write(PAGE - 1, new byte[] {0, 7}, 1, 1);
    assertArrayEquals(new byte[] {7}, vm.memory().orElseThrow().read(PAGE - 1, 1));
    assertEquals(0, vm.memory().orElseThrow().read(PAGE, 0).length);
    vm.memory().orElseThrow().readInt(PAGE - 4);
    vm.memory().orElseThrow().readLong(PAGE - 8);

    outOfBounds(() -> vm.memory().orElseThrow().read(PAGE, 1));
    outOfBounds(() -> vm.memory().orElseThrow().read(PAGE - 1, 2));
    outOfBounds(() -> vm.memory().orElseThrow().write(PAGE, new byte[1], 0, 1));
    outOfBounds(() -> vm.memory().orElseThrow().readInt(PAGE - 3));
    outOfBounds(() -> vm.memory().orElseThrow().writeInt(PAGE - 3, 1));
    outOfBounds(() -> vm.memory().orElseThrow().readLong(PAGE - 7));
    outOfBounds(() -> vm.memory().orElseThrow().writeLong(PAGE - 7, 1));
  }

  @Test
  void negativeHugeAndWrappingAccessesFail() {
    outOfBounds(() -> vm.memory().orElseThrow().readInt(-1));
    outOfBounds(() -> vm.memory().orElseThrow().read(-1, new byte[4], 0, 4));
    outOfBounds(() -> vm.memory().orElseThrow().writeLong(Long.MIN_VALUE, 1));
    outOfBounds(() -> vm.memory().orElseThrow().read(0, Integer.MAX_VALUE));
    outOfBounds(() -> vm.memory().orElseThrow().write(0, new byte[4], 0, -1));
    outOfBounds(
        () ->
            vm.memory()
                .orElseThrow()
                .readInt(1L << 32)); // would be address 0 if truncated to 32 bits
    outOfBounds(() -> vm.memory().orElseThrow().writeInt(Long.MAX_VALUE, 1));
    assertEquals(0, vm.memory().orElseThrow().readInt(0));
  }

  @Test
  void theTargetArrayIsCheckedToo() {
    assertThrows(
        IndexOutOfBoundsException.class,
        () -> vm.memory().orElseThrow().read(0, new byte[2], 1, 2));
    assertThrows(
        IndexOutOfBoundsException.class,
        () -> vm.memory().orElseThrow().write(0, new byte[2], -1, 1));
  }

  @Test
  void grownMemoryIsAccessible() {
    outOfBounds(() -> vm.memory().orElseThrow().readInt(PAGE));

    assertEquals(1, call("grow", FunctionType.i32(1, 1), 1));

    assertEquals(2 * PAGE, vm.memory().orElseThrow().size());
    vm.memory().orElseThrow().writeInt(2 * PAGE - 4, 1234);
    assertEquals(1234, call("load", FunctionType.i32(1, 1), 2 * PAGE - 4));
    outOfBounds(() -> vm.memory().orElseThrow().readInt(2 * PAGE - 3));
    assertEquals(-1, call("grow", FunctionType.i32(1, 1), 2));
    assertEquals(2 * PAGE, vm.memory().orElseThrow().size());
  }

  @Test
  void outOfBoundsAccessByTheModuleIsARuntimeError() {
    WasmException e =
        assertThrows(WasmException.class, () -> call("load", FunctionType.i32(1, 1), PAGE - 2));

    assertEquals(FailState.RUNTIME_ERROR, e.failState());
    assertTrue(e.getMessage().startsWith("Function: load failed: out of bounds"), e.getMessage());
    assertEquals(FailState.RUNTIME_ERROR, vm.failState());
  }

  @Test
  void valuesAreLittleEndian() {
    vm.memory().orElseThrow().writeInt(16, 0x11223344);
    assertArrayEquals(new byte[] {0x44, 0x33, 0x22, 0x11}, vm.memory().orElseThrow().read(16, 4));

    vm.memory().orElseThrow().writeLong(24, 0x0102030405060708L);
    assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}, vm.memory().orElseThrow().read(24, 8));

    vm.memory()
        .orElseThrow()
        .write(40, new byte[] {(byte) 0xEF, (byte) 0xBE, (byte) 0xAD, (byte) 0xDE}, 0, 4);
    assertEquals(0xDEADBEEF, vm.memory().orElseThrow().readInt(40));
    assertEquals(0xDEADBEEFL, vm.memory().orElseThrow().readWord(40));
    assertEquals(0xDEADBEEF, call("load", FunctionType.i32(1, 1), 40));

    call("store", FunctionType.i32(2, 0), 48, 0xCAFEBABEL);
    assertEquals(0xCAFEBABEL, vm.memory().orElseThrow().readLong(48));
  }

  @Test
  void valuesCrossingAPageBoundaryAreWhole() {
    call("grow", FunctionType.i32(1, 1), 1);

    vm.memory().orElseThrow().writeLong(PAGE - 3, 0x1122334455667788L);
    assertEquals(0x1122334455667788L, vm.memory().orElseThrow().readLong(PAGE - 3));
    vm.memory().orElseThrow().writeInt(PAGE - 1, 0x01020304);
    assertEquals(0x01020304, vm.memory().orElseThrow().readInt(PAGE - 1));
    byte[] bytes = new byte[PAGE + 2];
    bytes[0] = 9;
    bytes[PAGE + 1] = 10;
    vm.memory().orElseThrow().write(PAGE / 2, bytes, 0, bytes.length);
    byte[] back = vm.memory().orElseThrow().read(PAGE / 2, bytes.length);
    assertArrayEquals(bytes, back);
  }

  @Test
  void aModuleWithoutMemoryHasSizeZero() {
    WasmVm none = Wat.linked(new RecordingIntegration(), "(module)");

    assertEquals(0, none.memory().orElseThrow().size());
    assertEquals(0, none.memory().orElseThrow().read(0, 0).length);
    outOfBounds(() -> none.memory().orElseThrow().readInt(0));
    outOfBounds(() -> none.memory().orElseThrow().write(0, new byte[1], 0, 1));
  }
}

package io.proxywasm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.proxywasm.spi.WasmResult;
import org.junit.jupiter.api.Test;

/** A plugin cannot fill the JVM's heap through shared data or shared queues. */
class StoreQuotaTest {
  @Test
  void sharedDataPerVmIdStopsAtItsEntriesAndBytes() {
    SharedData data = new SharedData(new StoreQuota(2, 100));
    assertEquals(WasmResult.OK, data.set("vm", "a", new byte[10], 0));
    assertEquals(WasmResult.OK, data.set("vm", "b", new byte[10], 0));
    assertEquals(WasmResult.INTERNAL_FAILURE, data.set("vm", "c", new byte[1], 0), "3 entries");
    assertEquals(WasmResult.OK, data.set("other", "c", new byte[1], 0), "quotas are per vm_id");
    assertEquals(
        WasmResult.INTERNAL_FAILURE, data.set("vm", "a", new byte[200], 0), "over 100 bytes");
    assertEquals(
        WasmResult.OK, data.set("vm", "a", new byte[80], 0), "replacing counts the change");
    assertEquals(WasmResult.OK, data.remove("vm", "b", 0));
    assertEquals(WasmResult.OK, data.set("vm", "c", new byte[5], 0), "room again");
    assertEquals(2, data.quotaRejections());
  }

  @Test
  void queuedItemsCountAgainstTheVmIdThatOwnsTheQueue() {
    SharedQueues queues = new SharedQueues(new StoreQuota(3, 1 << 20));
    int token = queues.register("owner", "q", t -> {});
    for (int i = 0; i < 3; i++) {
      assertEquals(WasmResult.OK, queues.enqueue(token, new byte[1]));
    }
    assertEquals(WasmResult.INTERNAL_FAILURE, queues.enqueue(token, new byte[1]));
    assertEquals(WasmResult.OK, queues.dequeue(token).status());
    assertEquals(WasmResult.OK, queues.enqueue(token, new byte[1]), "a dequeue makes room");
    assertEquals(1, queues.quotaRejections());
    SharedQueues big = new SharedQueues(new StoreQuota(1000, 10));
    int t = big.register("owner", "q", x -> {});
    assertEquals(WasmResult.INTERNAL_FAILURE, big.enqueue(t, new byte[11]), "over 10 bytes");
  }

  @Test
  void aQuotaNeedsRoomForSomething() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new StoreQuota(0, 1));
    assertEquals("a store quota needs at least 1 entry and 1 byte, not 0 and 1", e.getMessage());
  }
}

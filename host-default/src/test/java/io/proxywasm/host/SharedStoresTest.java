package io.proxywasm.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.WasmResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Shared data (CAS, vm_id namespaces, lifetime) and shared queues (tokens, notifications). */
class SharedStoresTest {

  @Test
  void casSequenceAsCppHostTests() {
    SharedData data = new SharedData();
    assertEquals(WasmResult.OK, data.set("vm", "k", new byte[] {1}, 0));
    assertEquals(1, data.get("vm", "k").orElseThrow().cas());
    assertEquals(WasmResult.OK, data.set("vm", "k", new byte[] {2}, 0));
    assertEquals(2, data.get("vm", "k").orElseThrow().cas());
    assertEquals(WasmResult.CAS_MISMATCH, data.set("vm", "k", new byte[] {3}, 100));
    assertArrayEquals(new byte[] {2}, data.get("vm", "k").orElseThrow().value());
    assertEquals(WasmResult.OK, data.set("vm", "k", new byte[] {4}, 2));
    assertEquals(3, data.get("vm", "k").orElseThrow().cas());
    assertEquals(WasmResult.OK, data.set("vm", "new", new byte[0], 12345), "new key, any cas");
  }

  @Test
  void namespacesRemovalAndLifetime() {
    SharedData data = new SharedData();
    VmIdHandle a1 = data.acquire("a");
    VmIdHandle a2 = data.acquire("a");
    data.set("a", "k", new byte[] {1}, 0);
    data.set("b", "k", new byte[] {2}, 0);
    assertArrayEquals(new byte[] {2}, data.get("b", "k").orElseThrow().value());
    assertEquals(List.of("k"), data.keys("a"));
    int cas = data.get("a", "k").orElseThrow().cas();
    assertEquals(WasmResult.CAS_MISMATCH, data.remove("a", "k", cas + 1));
    assertEquals(WasmResult.OK, data.remove("a", "k", cas));
    assertEquals(WasmResult.NOT_FOUND, data.remove("a", "k", 0));
    data.set("a", "k", new byte[] {1}, 0);
    a1.close();
    a1.close();
    assertTrue(data.get("a", "k").isPresent(), "a second handle keeps the data");
    a2.close();
    assertEquals(Optional.empty(), data.get("a", "k"));
    assertTrue(data.get("b", "k").isPresent());
  }

  @Test
  void concurrentWritersNeverLoseAnUpdate() throws Exception {
    SharedData data = new SharedData();
    data.set("vm", "counter", new byte[] {0}, 0);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    int increments = 400;
    CountDownLatch done = new CountDownLatch(increments);
    for (int i = 0; i < increments; i++) {
      pool.execute(
          () -> {
            while (true) {
              SharedData.Entry e = data.get("vm", "counter").orElseThrow();
              int next = (e.value()[0] & 0xFF) + 1;
              if (data.set("vm", "counter", new byte[] {(byte) next}, e.cas()) == WasmResult.OK) {
                break;
              }
            }
            done.countDown();
          });
    }
    assertTrue(done.await(30, TimeUnit.SECONDS));
    pool.shutdown();
    assertEquals(increments % 256, data.get("vm", "counter").orElseThrow().value()[0] & 0xFF);
  }

  @Test
  void queueTokensRegistrationAndDelivery() {
    SharedQueues queues = new SharedQueues();
    List<String> seen = new ArrayList<>();
    int t1 = queues.register("vm", "q1", token -> seen.add("first " + token));
    int t2 = queues.register("vm", "q2", token -> seen.add("q2 " + token));
    assertEquals(1, t1);
    assertEquals(2, t2);
    assertEquals(t1, queues.resolve("vm", "q1"));
    assertEquals(0, queues.resolve("vm", "missing"));
    assertEquals(0, queues.resolve("other-vm", "q1"));
    assertEquals(WasmResult.EMPTY, queues.dequeue(t1).status());
    assertEquals(WasmResult.NOT_FOUND, queues.dequeue(999).status());
    assertEquals(WasmResult.NOT_FOUND, queues.enqueue(999, new byte[0]));

    assertEquals(WasmResult.OK, queues.enqueue(t1, new byte[] {1}));
    assertEquals(List.of("first 1"), seen);
    int again = queues.register("vm", "q1", token -> seen.add("second " + token));
    assertEquals(t1, again, "re-registration keeps the token");
    assertEquals(1, queues.size(t1), "and the queued items");
    queues.enqueue(t1, new byte[] {2});
    assertEquals(List.of("first 1", "second 1"), seen, "the last registrant is notified");
    assertArrayEquals(new byte[] {1}, queues.dequeue(t1).data());
    assertArrayEquals(new byte[] {2}, queues.dequeue(t1).data());
    assertEquals(WasmResult.EMPTY, queues.dequeue(t1).status());
  }

  @Test
  void throwingListenerDoesNotBreakEnqueueAndQueuesDieWithTheirVmId() {
    SharedQueues queues = new SharedQueues();
    VmIdHandle handle = queues.acquire("vm");
    int token =
        queues.register(
            "vm",
            "q",
            t -> {
              throw new IllegalStateException("listener bug");
            });
    assertEquals(WasmResult.OK, queues.enqueue(token, new byte[] {7}));
    assertEquals(1, queues.size(token));
    assertEquals(List.of("q"), queues.names("vm"));
    handle.close();
    assertEquals(-1, queues.size(token));
    assertEquals(0, queues.resolve("vm", "q"));
    int fresh = queues.register("vm", "q", t -> {});
    assertTrue(fresh > 0);
  }

  @Test
  void concurrentEnqueuesAreEachNotifiedOnce() throws Exception {
    SharedQueues queues = new SharedQueues();
    AtomicInteger notified = new AtomicInteger();
    int token = queues.register("vm", "q", t -> notified.incrementAndGet());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int i = 0; i < 200; i++) {
      byte[] item = {(byte) i};
      pool.execute(() -> queues.enqueue(token, item));
    }
    pool.shutdown();
    assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    assertEquals(200, notified.get());
    assertEquals(200, queues.size(token));
  }
}

package io.proxywasm.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.FailState;
import io.proxywasm.spi.WasmResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each plugin may ask for its own store quota; plugins of one vm_id share it; what a vm_id stored
 * goes when its last plugin is closed.
 */
class PluginStoreQuotaTest {
  private static final int OK = WasmResult.OK.code();
  private static final int FULL = WasmResult.INTERNAL_FAILURE.code();

  private final FuzzDriver.Feed feed = new FuzzDriver.Feed();
  private final ProxyWasmHost host =
      feed.install(
              TestSupport.host(new ManualScheduler()).storeQuota(new StoreQuota(1000, 1 << 20)))
          .build();

  @AfterEach
  void close() {
    host.close();
  }

  private PluginConfig.Builder driver(String name, String vmId) {
    return PluginConfig.builder(name)
        .rootId(name)
        .vmId(vmId)
        .runtime(TestSupport.RUNTIME)
        .code(FuzzDriver.module());
  }

  /** Sets keys k0..k(n-1) to 8 bytes each and enqueues n items on the queue "q" (token given). */
  private static FuzzDriver.Program store(int n, int token) {
    FuzzDriver.Program p = new FuzzDriver.Program();
    p.poke(0x200, 0x0102030405060708L).poke(0x300, bytes("q"));
    p.call("proxy_register_shared_queue", 0x300, 1, 0x400);
    for (int i = 0; i < n; i++) {
      p.poke(0x100 + 8 * i, bytes("k" + i));
      p.call("proxy_set_shared_data", 0x100 + 8 * i, 2, 0x200, 8, 0);
      p.call("proxy_enqueue_shared_queue", token, 0x200, 8);
    }
    return p;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Runs a program in a request's headers callback and returns what each host call answered. */
  private int[] run(Plugin plugin, Worker worker, FuzzDriver.Program program) {
    feed.next("proxy_on_request_headers", program);
    HttpStream stream = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
    stream.onRequestHeaders(HeaderMap.of(":path", "/"), true);
    stream.close();
    List<FuzzDriver.Feed.Run> runs = feed.runs();
    return runs.get(runs.size() - 1).results();
  }

  private static final int SETS = 1;
  private static final int ENQUEUES = 2;

  /** The statuses of every set or every enqueue of a {@link #store} program. */
  private static int[] statuses(int[] results, int which) {
    int n = (results.length - 3) / 3;
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = results[3 + 3 * i + which];
    }
    return out;
  }

  @Test
  void aPluginsOwnQuotaBoundsItsVmIdWhileOthersKeepTheHosts() throws Exception {
    try (Plugin small =
            host.load(driver("small", "small").storeQuota(new StoreQuota(2, 1024)).build());
        Plugin big = host.load(driver("big", "big").build());
        Worker worker = host.newWorker()) {
      int[] s = run(small, worker, store(3, 1));
      assertEquals(OK, s[2], "registered as token 1");
      assertArrayEquals(
          new int[] {OK, OK, FULL}, statuses(s, SETS), "the third key is over 2 entries");
      assertArrayEquals(
          new int[] {OK, OK, FULL}, statuses(s, ENQUEUES), "the third item is over 2");
      int[] b = run(big, worker, store(3, 2));
      assertArrayEquals(
          new int[] {OK, OK, OK}, statuses(b, SETS), "the host's quota: 1000 entries");
      assertArrayEquals(new int[] {OK, OK, OK}, statuses(b, ENQUEUES));
      assertEquals(1, host.sharedData().quotaRejections());
      assertEquals(1, host.sharedQueues().quotaRejections());
      assertEquals(new StoreQuota(2, 1024), host.sharedData().quota("small"));
      assertEquals(new StoreQuota(1000, 1 << 20), host.sharedQueues().quota("big"));
    }
  }

  @Test
  void pluginsOfOneVmIdMustAskForTheSameQuotaWhileItLives() throws Exception {
    StoreQuota ten = new StoreQuota(10, 100);
    Plugin first = host.load(driver("first", "v").storeQuota(ten).build());
    // same vm_key (one base VM), another quota
    PluginLoadException sameVm =
        assertThrows(
            PluginLoadException.class,
            () -> host.load(driver("second", "v").storeQuota(new StoreQuota(20, 100)).build()));
    assertEquals(FailState.UNABLE_TO_CREATE_VM, sameVm.failState());
    assertEquals(
        "the vm_id 'v' already has a store quota of 10 entries and 100 bytes; a plugin of that"
            + " vm_id cannot ask for 20 entries and 100 bytes while it lives",
        sameVm.getMessage());
    // another vm_key (another base VM) of the same vm_id, no quota of its own: the host's
    PluginLoadException otherVm =
        assertThrows(
            PluginLoadException.class,
            () -> host.load(driver("third", "v").vmConfiguration("other").build()));
    assertEquals(FailState.UNABLE_TO_CREATE_VM, otherVm.failState());
    assertTrue(
        otherVm
            .getMessage()
            .endsWith("cannot ask for 1000 entries and 1048576 bytes while it lives"),
        otherVm.getMessage());
    // the same quota is fine, on either path
    Plugin same = host.load(driver("same", "v").storeQuota(ten).build());
    Plugin sameOther =
        host.load(driver("sameOther", "v").vmConfiguration("x").storeQuota(ten).build());
    assertEquals(ten, host.sharedData().quota("v"), "failed loads changed nothing");
    first.close();
    same.close();
    sameOther.close();
    // the vm_id is gone with its last plugin: a new one may ask for anything
    Plugin later = host.load(driver("later", "v").storeQuota(new StoreQuota(20, 100)).build());
    assertEquals(new StoreQuota(20, 100), host.sharedQueues().quota("v"));
    later.close();
  }

  @Test
  void whatAVmIdStoredStaysThroughAFailedVmAndGoesWithItsLastPlugin() throws Exception {
    StoreQuota two = new StoreQuota(2, 1024);
    Plugin plugin = host.load(driver("p", "v").storeQuota(two).build());
    Worker worker = host.newWorker();
    run(plugin, worker, store(2, 1));
    assertEquals(2, host.sharedData().keys("v").size());
    assertEquals(2, host.sharedQueues().size(1));

    // the VM traps: the stream fails, the vm_id's data stays for the VM that replaces it (Envoy's
    // shared data outlives a VM), and still counts against the quota
    feed.next("proxy_on_request_headers", new FuzzDriver.Program().trap());
    HttpStream failing = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
    failing.onRequestHeaders(HeaderMap.of(":path", "/"), true);
    assertTrue(failing.failure().isPresent(), "the trap failed the VM");
    failing.close();
    assertEquals(2, host.sharedData().keys("v").size());
    int[] full = run(plugin, worker, store(3, 1));
    assertEquals(FULL, statuses(full, SETS)[2], "k2 is a third key");
    assertEquals(FULL, statuses(full, ENQUEUES)[0], "the queue still holds 2 items");

    // closing the last plugin of the vm_id releases its keys, its queues and its usage
    worker.close();
    plugin.close();
    assertEquals(List.of(), host.sharedData().keys("v"));
    assertEquals(List.of(), host.sharedQueues().names("v"));
    assertEquals(-1, host.sharedQueues().size(1));
    try (Plugin again = host.load(driver("p", "v").storeQuota(two).build());
        Worker w = host.newWorker()) {
      int[] fresh = run(again, w, store(2, 2));
      assertArrayEquals(new int[] {OK, OK}, statuses(fresh, SETS), "a fresh quota");
    }
  }
}

package io.proxywasm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.WasmResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Many threads through plugins at once: shared-data CAS, shared queues, a worker pool while its
 * plugin is reloaded, and the host closed under load. The full run (8 threads × 100,000 CAS
 * increments, 8 producers × 50,000 items...) is {@code benchmarks/stress/run.sh}, with {@code
 * -Dproxywasm.stress.scale=1}; the build runs a hundredth of it. Each test prints its figures.
 */
class StressTest {
  /** The share of the full run: 1 for the full run, 0.01 in the build. */
  private static final double SCALE =
      Double.parseDouble(System.getProperty("proxywasm.stress.scale", "0.01"));

  private static final int THREADS = 8;

  private static int scaled(int full) {
    return Math.max(1, (int) Math.round(full * SCALE));
  }

  private static void report(String test, String scale, long startNanos, String result) {
    System.out.printf(
        "stress | %s | %s | %.1f s | %s%n",
        test, scale, (System.nanoTime() - startNanos) / 1e9, result);
  }

  /** Runs one body per thread, all released at once, and rethrows the first failure. */
  private static void parallel(int threads, ThrowingIntConsumer body) throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> list = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await();
                  body.accept(id);
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              },
              "stress-" + t);
      thread.start();
      list.add(thread);
    }
    for (Thread thread : list) {
      thread.join();
    }
    if (failure.get() != null) {
      throw new AssertionError("a thread failed: " + failure.get(), failure.get());
    }
  }

  @FunctionalInterface
  interface ThrowingIntConsumer {
    void accept(int id) throws Exception;
  }

  @Test
  void sharedDataCasLosesNoIncrement() throws Exception {
    int perThread = scaled(100_000) / 100 * 100;
    int requests = Math.max(1, perThread / 100);
    try (ProxyWasmHost host = ProxyWasmHost.builder().logSink(TestSupport.NO_LOGS).build();
        Plugin plugin =
            host.load(
                PluginConfig.builder("counter")
                    .vmId("counter")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.wat("counter.wat"))
                    .build())) {
      assertEquals(WasmResult.OK, host.sharedData().set("counter", "counter", new byte[8], 0));
      AtomicLong failed = new AtomicLong();
      long start = System.nanoTime();
      parallel(
          THREADS,
          id -> {
            try (Worker worker = host.newWorker()) {
              for (int r = 0; r < requests; r++) {
                HttpStream stream = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
                stream.onRequestHeaders(HeaderMap.of(":path", "/"), true);
                if (stream.failure().isPresent()) {
                  failed.incrementAndGet();
                }
                stream.close();
              }
            }
          });
      long value =
          ByteBuffer.wrap(host.sharedData().get("counter", "counter").orElseThrow().value())
              .order(ByteOrder.LITTLE_ENDIAN)
              .getLong();
      long expected = (long) THREADS * requests * 100;
      report(
          "shared data CAS",
          THREADS + " threads × " + (requests * 100) + " increments",
          start,
          value + " of " + expected + " counted, " + (expected - value) + " lost");
      assertEquals(0, failed.get(), "requests whose VM failed");
      assertEquals(expected, value, "increments lost");
    }
  }

  @Test
  void queuesLoseAndDuplicateNothing() throws Exception {
    int perProducer = scaled(50_000);
    int batch = 200; // items per request: one poke and one enqueue each
    FuzzDriver.Feed feed = new FuzzDriver.Feed();
    feed.keepRuns(false);
    try (ProxyWasmHost host =
            feed.install(ProxyWasmHost.builder().logSink(TestSupport.NO_LOGS)).build();
        Plugin plugin =
            host.load(
                PluginConfig.builder("queues")
                    .vmId("queues")
                    .runtime(TestSupport.RUNTIME)
                    .code(FuzzDriver.module())
                    // every item may wait: more than the default 100,000 entries
                    .storeQuota(new StoreQuota(1_000_000, 256L << 20))
                    .build())) {
      int token = host.sharedQueues().register("queues", "items", t -> {});
      AtomicBoolean producing = new AtomicBoolean(true);
      ConcurrentHashMap<Integer, BitSet> seen = new ConcurrentHashMap<>();
      AtomicLong duplicates = new AtomicLong();
      AtomicLong received = new AtomicLong();
      AtomicLong refused = new AtomicLong();
      // a consumer drains while the producers produce, as a consumer plugin's dequeue would
      Thread consumer =
          new Thread(
              () -> {
                while (true) {
                  boolean last = !producing.get();
                  SharedQueues.Item item;
                  while ((item = host.sharedQueues().dequeue(token)).status() == WasmResult.OK) {
                    long v = ByteBuffer.wrap(item.data()).order(ByteOrder.LITTLE_ENDIAN).getLong();
                    BitSet bits = seen.computeIfAbsent((int) (v >>> 32), k -> new BitSet());
                    if (bits.get((int) v)) {
                      duplicates.incrementAndGet();
                    }
                    bits.set((int) v);
                    received.incrementAndGet();
                  }
                  if (last) {
                    return;
                  }
                  Thread.onSpinWait();
                }
              },
              "stress-consumer");
      consumer.start();
      long start = System.nanoTime();
      parallel(
          THREADS,
          id -> {
            try (Worker worker = host.newWorker()) {
              for (int sent = 0; sent < perProducer; sent += batch) {
                FuzzDriver.Program p = new FuzzDriver.Program();
                int n = Math.min(batch, perProducer - sent);
                for (int i = 0; i < n; i++) {
                  int address = 8 * i;
                  p.poke(address, ((long) id << 32) | (sent + i));
                  p.call("proxy_enqueue_shared_queue", token, address, 8);
                }
                feed.next("proxy_on_request_headers", p);
                HttpStream stream = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
                stream.onRequestHeaders(HeaderMap.of(":path", "/"), true);
                stream.close();
                int[] results = feed.lastRun().orElseThrow().results();
                for (int i = 1; i < results.length; i += 2) {
                  if (results[i] != WasmResult.OK.code()) {
                    refused.incrementAndGet();
                  }
                }
              }
            }
          });
      producing.set(false);
      consumer.join();
      long expected = (long) THREADS * perProducer;
      long lost = expected - received.get() + duplicates.get();
      report(
          "shared queues",
          THREADS + " producers × " + perProducer + " items",
          start,
          received.get()
              + " of "
              + expected
              + " received, "
              + lost
              + " lost, "
              + duplicates.get()
              + " duplicated");
      assertEquals(0, refused.get(), "enqueues refused");
      assertEquals(0, duplicates.get(), "items received twice");
      assertEquals(expected, received.get(), "items received");
      for (int p = 0; p < THREADS; p++) {
        assertEquals(perProducer, seen.get(p).cardinality(), "items of producer " + p);
      }
    }
  }

  private PluginConfig headers(int generation) {
    return PluginConfig.builder("headers")
        .rootId("headers")
        .runtime(TestSupport.RUNTIME)
        .code(TestSupport.corpus("wasm/c-http-headers.wasm"))
        .pluginConfiguration("generation " + generation)
        .build();
  }

  /**
   * A plugin generation as an embedder keeps it across reloads (the gateway's LivePlugin): streams
   * hold it while they run, and a replaced generation is closed by the last stream to let go.
   */
  private static final class Generation {
    final Plugin plugin;
    final AtomicLong inFlight = new AtomicLong();
    volatile boolean retired;

    Generation(Plugin plugin) {
      this.plugin = plugin;
    }

    static Generation acquire(AtomicReference<Generation> current) {
      while (true) {
        Generation g = current.get();
        long n = g.inFlight.get();
        if (n >= 0 && g.inFlight.compareAndSet(n, n + 1)) {
          return g;
        }
      }
    }

    void release() {
      if (inFlight.decrementAndGet() == 0 && retired) {
        closeIfIdle();
      }
    }

    void retire() {
      retired = true;
      closeIfIdle();
    }

    private void closeIfIdle() {
      if (inFlight.compareAndSet(0, -1)) {
        plugin.close();
      }
    }
  }

  @Test
  void aWorkerPoolServesWhileItsPluginIsReloaded() throws Exception {
    int perThread = scaled(20_000);
    try (ProxyWasmHost host = ProxyWasmHost.builder().logSink(TestSupport.NO_LOGS).build();
        WorkerPool pool = host.newWorkerPool(4)) {
      AtomicReference<Generation> current =
          new AtomicReference<>(new Generation(host.load(headers(0))));
      AtomicBoolean serving = new AtomicBoolean(true);
      AtomicLong reloads = new AtomicLong();
      AtomicReference<Throwable> reloadFailure = new AtomicReference<>();
      AtomicLong served = new AtomicLong();
      Thread reloader =
          new Thread(
              () -> {
                try {
                  while (serving.get()) {
                    // one reload per 50 requests served, so that requests and reloads interleave
                    // at any speed of the machine
                    if (served.get() < 50 * (reloads.get() + 1)) {
                      Thread.onSpinWait();
                      Thread.yield();
                      continue;
                    }
                    Plugin next = host.load(headers((int) reloads.incrementAndGet()));
                    current.getAndSet(new Generation(next)).retire();
                  }
                } catch (Throwable e) {
                  reloadFailure.set(e);
                }
              },
              "stress-reloader");
      ConcurrentHashMap<String, Long> other = new ConcurrentHashMap<>();
      long start = System.nanoTime();
      reloader.start();
      try {
        parallel(
            THREADS,
            id -> {
              for (int r = 0; r < perThread; r++) {
                Generation g = Generation.acquire(current);
                try {
                  HttpStream stream =
                      pool.next().handle(g.plugin).newHttpStream(HttpStreamListener.IGNORE);
                  FilterHeadersStatus status =
                      stream.onRequestHeaders(HeaderMap.of(":path", "/" + r), true);
                  stream.onResponseHeaders(HeaderMap.of(":status", "200"), true);
                  stream.onLog();
                  stream.close();
                  if (stream.failure().isEmpty() && status == FilterHeadersStatus.CONTINUE) {
                    served.incrementAndGet();
                  } else {
                    other.merge(status + " " + stream.failure(), 1L, Long::sum);
                  }
                } finally {
                  g.release();
                }
              }
            });
      } finally {
        serving.set(false);
        reloader.join();
      }
      current.get().retire();
      long total = (long) THREADS * perThread;
      report(
          "pool under reload",
          THREADS + " threads × " + perThread + " requests, pool of 4",
          start,
          served.get()
              + " of "
              + total
              + " served, "
              + reloads.get()
              + " reloads, other outcomes "
              + other);
      assertEquals(null, reloadFailure.get(), "a reload failed");
      assertEquals(java.util.Map.of(), other, "outcomes other than served");
      assertEquals(total, served.get());
      assertTrue(reloads.get() > 0, "at least one reload ran during the load");
      for (Worker worker : pool.workers()) {
        assertEquals(0, worker.liveContexts(), "every generation was closed: no context left");
      }
    }
  }

  @Test
  void closingTheHostUnderLoadThrowsNothingAndLaterCallsFailClearly() throws Exception {
    int perThread = scaled(20_000);
    ProxyWasmHost host = ProxyWasmHost.builder().logSink(TestSupport.NO_LOGS).build();
    Plugin plugin = host.load(headers(0));
    WorkerPool pool = host.newWorkerPool(4);
    CountDownLatch halfway = new CountDownLatch(THREADS);
    AtomicLong before = new AtomicLong();
    AtomicLong after = new AtomicLong();
    ConcurrentHashMap<String, Long> other = new ConcurrentHashMap<>();
    ConcurrentHashMap<String, Long> refused = new ConcurrentHashMap<>();
    AtomicLong made = new AtomicLong();
    long start = System.nanoTime();
    Thread closer =
        new Thread(
            () -> {
              try {
                halfway.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              host.close();
            },
            "stress-closer");
    closer.start();
    parallel(
        THREADS,
        id -> {
          // at least perThread requests each, and on until 20 of them came after the close
          int afterClose = 0;
          for (int r = 0; r < perThread || afterClose < 20; r++) {
            if (r == perThread / 2) {
              halfway.countDown();
            }
            if (host.isClosed()) {
              afterClose++;
            }
            made.incrementAndGet();
            HttpStream stream;
            try {
              stream = pool.next().handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
            } catch (IllegalStateException e) {
              // a stream started on a closed worker: refused, saying so
              if (!host.isClosed() || !e.getMessage().contains("closed")) {
                throw e;
              }
              refused.merge(e.getMessage(), 1L, Long::sum);
              continue;
            }
            FilterHeadersStatus status =
                stream.onRequestHeaders(HeaderMap.of(":path", "/" + r), true);
            stream.onResponseHeaders(HeaderMap.of(":status", "200"), true);
            stream.onLog();
            stream.close();
            if (stream.failure().isEmpty() && status == FilterHeadersStatus.CONTINUE) {
              before.incrementAndGet();
            } else if (stream.failure().isPresent()
                && stream.failure().get().cause() == PluginFailure.Cause.UNAVAILABLE) {
              after.incrementAndGet();
            } else {
              other.merge(status + " " + stream.failure(), 1L, Long::sum);
            }
          }
        });
    closer.join();
    long total = made.get();
    report(
        "host close under load",
        THREADS + " threads × " + perThread + " requests and more, pool of 4",
        start,
        total
            + " requests: "
            + before.get()
            + " served, "
            + after.get()
            + " open at the close failed closed, "
            + refused
            + " refused once closed, other outcomes "
            + other);
    assertEquals(java.util.Map.of(), other, "outcomes other than served or failed closed");
    long refusedCount = refused.values().stream().mapToLong(Long::longValue).sum();
    assertEquals(total, before.get() + after.get() + refusedCount);
    assertTrue(refusedCount > 0, "streams started after the close are refused");
    IllegalStateException late =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class, () -> host.load(headers(1)));
    assertTrue(late.getMessage().contains("the host is closed"), late.getMessage());
    for (Worker worker : pool.workers()) {
      assertEquals(0, worker.liveContexts(), "no context outlives the host");
    }
    pool.close();
    plugin.close();
  }
}

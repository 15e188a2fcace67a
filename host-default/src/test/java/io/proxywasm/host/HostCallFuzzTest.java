package io.proxywasm.host;

import static io.proxywasm.host.FuzzSessions.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.proxywasm.host.FuzzSessions.Action;
import io.proxywasm.host.FuzzSessions.Session;
import io.proxywasm.host.FuzzSessions.Shared;
import io.proxywasm.host.FuzzSessions.Step;
import io.proxywasm.host.internal.abi.Pairs;
import io.proxywasm.spi.Header;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Random host calls from a plugin: sequences of calls to any proxy-wasm host function, with random
 * pointers (in the plugin's memory, at its end, past it), lengths, map and buffer types, context
 * ids and enum values, over memory holding random bytes, pairs buffers and property paths, made
 * from inside any callback of HTTP and TCP streams, ticks and queue deliveries (see {@link
 * FuzzDriver}). The properties: no exception reaches the embedder, every call answers a proxy-wasm
 * status, no call fails the VM, and no context is left behind once the streams are closed. The
 * sessions are drawn by {@link Seeded} (seed, tries and replay of one try in its documentation).
 */
class HostCallFuzzTest {
  /** What a call may answer: a {@link io.proxywasm.spi.WasmResult} code. */
  private static final int MAX_STATUS = FuzzSessions.MAX_STATUS;

  private static Shared shared;

  /** What a run did, printed when the class ends (for the long run's figures). */
  private static final java.util.concurrent.atomic.AtomicLongArray STATUSES =
      new java.util.concurrent.atomic.AtomicLongArray(MAX_STATUS + 1);

  private static final java.util.concurrent.atomic.AtomicLong TRIES =
      new java.util.concurrent.atomic.AtomicLong();

  /** Programs queued, and programs run, per callback. */
  private static final Map<String, long[]> PROGRAMS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static synchronized Shared shared() throws PluginLoadException {
    if (shared == null) {
      shared = new Shared();
    }
    return shared;
  }

  @AfterAll
  static synchronized void closeHost() {
    StringBuilder counts = new StringBuilder();
    long calls = 0;
    for (int i = 0; i <= MAX_STATUS; i++) {
      calls += STATUSES.get(i);
      counts.append(' ').append(io.proxywasm.spi.WasmResult.fromCode(i).orElseThrow()).append('=');
      counts.append(STATUSES.get(i));
    }
    System.out.println(
        "host-call fuzz: seed "
            + Seeded.seed()
            + ", "
            + TRIES.get()
            + " tries, "
            + calls
            + " host calls answered:"
            + counts);
    StringBuilder programs = new StringBuilder("host-call fuzz: programs queued/run per callback:");
    new java.util.TreeMap<>(PROGRAMS)
        .forEach(
            (k, v) ->
                programs.append(' ').append(k).append('=').append(v[0]).append('/').append(v[1]));
    System.out.println(programs);
    if (shared != null) {
      shared.worker.close();
      if (shared.worker.liveContexts() != 0) {
        throw new AssertionError("a closed worker keeps no context");
      }
      shared.host.close();
      shared = null;
    }
  }

  @Test
  void hostCallsFromAnyCallbackAnswerAStatusAndLeakNothing() {
    Seeded.forAll(60, HostCallFuzzTest::session, HostCallFuzzTest::runSession);
  }

  private static void runSession(List<Step> steps) throws Exception {
    Shared s = shared();
    TRIES.incrementAndGet();
    s.feed.clear();
    s.failures.clear();
    Session session = new Session(s);
    for (Step step : steps) {
      s.feed.next(step.action().callback, step.program());
      PROGRAMS.computeIfAbsent(step.action().callback, k -> new long[2])[0]++;
      session.run(step.action());
    }
    session.close();
    for (FuzzDriver.Feed.Run run : s.feed.runs()) {
      PROGRAMS.computeIfAbsent(run.callback(), k -> new long[2])[1]++;
      FuzzSessions.checkStatuses(run, STATUSES, "program " + run.program().names());
    }
    s.feed.clear();
    if (!s.failures.isEmpty()) {
      fail("the VM failed: " + s.failures);
    }
    assertEquals(s.baseline, s.worker.liveContexts(), "contexts left once every stream closed");
  }

  // ---- generators -------------------------------------------------------------------------------

  /** A session: 1 to 8 steps, each an event and the program its callback runs. */
  static List<Step> session(Gen g) {
    return g.list(1, 8, x -> new Step(x.oneOf(Action.class), program(x)));
  }

  /** 1 to 12 ops: three in four call a host function with twelve arguments, one pokes memory. */
  static FuzzDriver.Program program(Gen g) {
    FuzzDriver.Program p = new FuzzDriver.Program();
    int ops = g.size(1, 12);
    for (int n = 0; n < ops; n++) {
      if (g.weighted(3, 1) == 0) {
        int index = g.intBetween(0, FuzzDriver.IMPORTS.size() - 1);
        long[] args = new long[12];
        for (int i = 0; i < args.length; i++) {
          args[i] = argument(g);
        }
        p.call(index, args);
      } else {
        int address = g.intBetween(0, 0x1F0) * 16;
        p.poke(address, content(g));
      }
    }
    return p;
  }

  /**
   * An argument: an enum value or id, the id of the context the program runs in or of the one the
   * previous program ran in, a pointer into the data, a length, an edge, anything.
   */
  static long argument(Gen g) {
    return switch (g.weighted(4, 2, 4, 3, 1, 1)) {
      case 0 -> g.longBetween(0, 10);
      case 1 -> g.oneOf(FuzzDriver.THIS_CONTEXT, FuzzDriver.OTHER_CONTEXT);
      case 2 -> g.longBetween(0, FuzzDriver.SCRATCH);
      case 3 -> g.longBetween(0, 64);
      case 4 -> g.oneOf(FuzzSessions.EDGES);
      default -> g.anyLong();
    };
  }

  /**
   * What is poked into memory, each as likely: a pairs buffer, a property path, a path with a final
   * NUL, random bytes.
   */
  static byte[] content(Gen g) {
    return switch (g.weighted(1, 1, 1, 1)) {
      case 0 -> Pairs.encode(g.list(0, 5, x -> Header.of(x.byteString(12), x.byteString(12))));
      case 1 -> path(g);
      case 2 -> {
        byte[] p = path(g);
        yield java.util.Arrays.copyOf(p, p.length + 1);
      }
      default -> g.bytes(48);
    };
  }

  private static byte[] path(Gen g) {
    return bytes(
        g.list(0, 4, x -> x.oneOf(FuzzSessions.PATH_SEGMENTS)).stream()
            .collect(Collectors.joining("\0")));
  }
}

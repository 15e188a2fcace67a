package io.proxywasm.host;

import static io.proxywasm.host.FuzzSessions.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.proxywasm.host.FuzzSessions.Action;
import io.proxywasm.host.FuzzSessions.Session;
import io.proxywasm.host.FuzzSessions.Shared;
import io.proxywasm.host.FuzzSessions.Step;
import io.proxywasm.host.internal.abi.Pairs;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.WasmResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of the host calls (Jazzer): the fuzzer's bytes are read as a session of
 * the {@link FuzzDriver} plugin (which streams and callbacks run, and in each callback which host
 * functions are called with which raw arguments, enum values, context ids, pointers and lengths up
 * to and past the end of memory, and which bytes are stored into memory first), and the properties
 * are those of {@link HostCallFuzzTest}: no exception reaches the embedder, every call answers a
 * proxy-wasm status, no call fails the VM, and no context is left once the streams are closed.
 *
 * <p>The build runs the committed inputs (the directory {@code HostCallCoverageFuzzTestInputs} next
 * to this class in the test resources) as regression cases; {@code
 * benchmarks/fuzz/hostcalls-coverage.sh} fuzzes with {@code JAZZER_FUZZ=1}, the host's classes
 * instrumented so that what they cover guides the fuzzer.
 */
class HostCallCoverageFuzzTest {
  /** What a call may answer: a {@link WasmResult} code. */
  private static final int MAX_STATUS = FuzzSessions.MAX_STATUS;

  private static final AtomicLongArray STATUSES = new AtomicLongArray(MAX_STATUS + 1);
  private static final AtomicLong SESSIONS = new AtomicLong();

  private static Shared shared;

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
      counts.append(' ').append(WasmResult.fromCode(i).orElseThrow()).append('=');
      counts.append(STATUSES.get(i));
    }
    // on stderr: in fuzzing mode, stdout is libFuzzer's
    System.err.println(
        "host-call coverage fuzz: "
            + SESSIONS.get()
            + " sessions, "
            + calls
            + " host calls answered:"
            + counts);
    if (shared != null) {
      shared.worker.close();
      int left = shared.worker.liveContexts();
      shared.host.close();
      shared = null;
      assertEquals(0, left, "a closed worker keeps no context");
    }
  }

  @FuzzTest(maxDuration = "5m")
  void hostCallsAnswerAStatusAndLeakNothing(FuzzedDataProvider data) throws Exception {
    List<Step> steps = session(data);
    Shared s = shared();
    SESSIONS.incrementAndGet();
    s.feed.clear();
    s.failures.clear();
    Session session = new Session(s);
    try {
      for (Step step : steps) {
        s.feed.next(step.action().callback, step.program());
        session.run(step.action());
      }
    } finally {
      session.close();
    }
    List<FuzzDriver.Feed.Run> runs = s.feed.runs();
    s.feed.clear();
    for (FuzzDriver.Feed.Run run : runs) {
      FuzzSessions.checkStatuses(run, STATUSES, "after " + steps);
    }
    if (!s.failures.isEmpty()) {
      fail("the VM failed: " + s.failures + " after " + steps);
    }
    assertEquals(
        s.baseline,
        s.worker.liveContexts(),
        () -> "contexts left once every stream closed, after " + steps);
  }

  // ---- the fuzzer's bytes as a session
  // ------------------------------------------------------------

  /** A session: 1 to 8 steps. */
  static List<Step> session(FuzzedDataProvider data) {
    int count = data.consumeInt(1, 8);
    List<Step> steps = new ArrayList<>(count);
    Action[] actions = Action.values();
    for (int i = 0; i < count; i++) {
      Action action = actions[data.consumeInt(0, actions.length - 1)];
      steps.add(new Step(action, program(data)));
    }
    return steps;
  }

  /** A program: 1 to 12 ops, each a host call with raw arguments or a store into memory. */
  static FuzzDriver.Program program(FuzzedDataProvider data) {
    FuzzDriver.Program p = new FuzzDriver.Program();
    int count = data.consumeInt(1, 12);
    for (int i = 0; i < count; i++) {
      if (data.consumeInt(0, 3) == 0) {
        p.poke(data.consumeInt(0, 0x1F0) * 16, content(data));
      } else {
        int index = data.consumeInt(0, FuzzDriver.IMPORTS.size() - 1);
        int params = FuzzDriver.IMPORTS.get(index).params().length();
        long[] args = new long[params];
        for (int k = 0; k < params; k++) {
          args[k] = argument(data);
        }
        p.call(index, args);
      }
    }
    return p;
  }

  /**
   * An argument: an enum value or small id, the running context's id or the previous program's, a
   * pointer into the scratch area, a length, an edge, anything.
   */
  static long argument(FuzzedDataProvider data) {
    switch (data.consumeInt(0, 5)) {
      case 0:
        return data.consumeLong(0, 10);
      case 1:
        return data.consumeBoolean() ? FuzzDriver.THIS_CONTEXT : FuzzDriver.OTHER_CONTEXT;
      case 2:
        return data.consumeLong(0, FuzzDriver.SCRATCH);
      case 3:
        return data.consumeLong(0, 64);
      case 4:
        return FuzzSessions.EDGES.get(data.consumeInt(0, FuzzSessions.EDGES.size() - 1));
      default:
        return data.consumeLong();
    }
  }

  /** What is stored into memory: a pairs buffer, a property path (maybe NUL-ended), raw bytes. */
  static byte[] content(FuzzedDataProvider data) {
    switch (data.consumeInt(0, 2)) {
      case 0:
        {
          int n = data.consumeInt(0, 5);
          List<Header> pairs = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            pairs.add(Header.of(latin1(data, 12), latin1(data, 12)));
          }
          return Pairs.encode(pairs);
        }
      case 1:
        {
          int n = data.consumeInt(0, 4);
          List<String> segments = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            segments.add(
                FuzzSessions.PATH_SEGMENTS.get(
                    data.consumeInt(0, FuzzSessions.PATH_SEGMENTS.size() - 1)));
          }
          String path = String.join("\0", segments) + (data.consumeBoolean() ? "\0" : "");
          return bytes(path);
        }
      default:
        return data.consumeBytes(48);
    }
  }

  private static String latin1(FuzzedDataProvider data, int max) {
    return new String(data.consumeBytes(max), StandardCharsets.ISO_8859_1);
  }

  // ---- driving the streams ----------------------------------------------------------------------

}

package io.proxywasm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.proxywasm.host.internal.Pairs;
import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmExtension;
import io.proxywasm.spi.WasmResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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
  private static final int MAX_STATUS = 12;

  private static final AtomicLongArray STATUSES = new AtomicLongArray(MAX_STATUS + 1);
  private static final AtomicLong SESSIONS = new AtomicLong();

  private static Shared shared;

  /** One host, plugin and worker for every input (as the fuzzer reuses the test instance). */
  private static final class Shared {
    final ManualScheduler scheduler = new ManualScheduler();
    final FuzzDriver.Feed feed = new FuzzDriver.Feed();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final InMemoryExtension metrics = new InMemoryExtension();
    final ProxyWasmHost host;
    final Worker worker;
    final PluginHandle handle;
    final int queue;
    final int baseline;

    Shared() throws PluginLoadException {
      WasmExtension events =
          new WasmExtension() {
            @Override
            public void onEvent(WasmEvent event, PluginInfo plugin, String message) {
              if (event != WasmEvent.OK
                  && event != WasmEvent.VM_CREATED
                  && event != WasmEvent.VM_SHUT_DOWN) {
                failures.add(event + ": " + message);
              }
            }

            @Override
            public Metric pluginMetric(MetricType type, String name, PluginInfo plugin) {
              return metrics.pluginMetric(type, name, plugin);
            }

            @Override
            public Metric hostMetric(MetricType type, String name) {
              return metrics.hostMetric(type, name);
            }
          };
      host =
          feed.install(
                  ProxyWasmHost.builder()
                      .logSink(new TestSupport.RecordingLog())
                      .scheduler(scheduler)
                      .extension(events)
                      .logLimit(new LogLimit(1 << 30, 1 << 30))
                      .properties(
                          path ->
                              path.equals(List.of("node", "id"))
                                  ? Optional.of(bytes("fuzz-node"))
                                  : Optional.empty()))
              .build();
      Plugin plugin =
          host.load(
              PluginConfig.builder("fuzz")
                  .rootId("fuzz")
                  .vmId("fuzz")
                  .runtime(TestSupport.RUNTIME)
                  .code(FuzzDriver.module())
                  .build());
      worker = host.newWorker();
      handle = worker.handle(plugin);
      // the root registers the queue "fq"
      feed.next(
          "proxy_on_tick",
          new FuzzDriver.Program()
              .poke(0x1F00, bytes("fq"))
              .call("proxy_register_shared_queue", 0x1F00, 2, 0x1F08));
      handle.tick();
      queue = host.sharedQueues().resolve("fuzz", "fq");
      if (queue <= 0) {
        throw new IllegalStateException("the root did not register its queue");
      }
      baseline = worker.liveContexts();
    }
  }

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

  /** What the embedder does next, and in which callback the program runs. */
  enum Action {
    REQUEST_HEADERS("proxy_on_request_headers"),
    REQUEST_BODY("proxy_on_request_body"),
    REQUEST_TRAILERS("proxy_on_request_trailers"),
    RESPONSE_HEADERS("proxy_on_response_headers"),
    RESPONSE_BODY("proxy_on_response_body"),
    RESPONSE_TRAILERS("proxy_on_response_trailers"),
    NEW_STREAM("proxy_on_context_create"),
    STREAM_LOG("proxy_on_log"),
    STREAM_DONE("proxy_on_done"),
    STREAM_DELETE("proxy_on_delete"),
    TICK("proxy_on_tick"),
    QUEUE("proxy_on_queue_ready"),
    TCP_NEW("proxy_on_new_connection"),
    TCP_DOWNSTREAM("proxy_on_downstream_data"),
    TCP_UPSTREAM("proxy_on_upstream_data"),
    TCP_CLOSE("proxy_on_downstream_connection_close");

    final String callback;

    Action(String callback) {
      this.callback = callback;
    }
  }

  /** One step of a session: what the embedder does, and the program its callback runs. */
  record Step(Action action, FuzzDriver.Program program) {
    @Override
    public String toString() {
      return action + " " + program;
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
      checkStatuses(run, steps);
    }
    if (!s.failures.isEmpty()) {
      fail("the VM failed: " + s.failures + " after " + steps);
    }
    assertEquals(
        s.baseline,
        s.worker.liveContexts(),
        () -> "contexts left once every stream closed, after " + steps);
  }

  private static void checkStatuses(FuzzDriver.Feed.Run run, List<Step> steps) {
    List<String> names = run.program().names();
    assertEquals(names.size(), run.results().length, "one result per op");
    for (int i = 0; i < names.size(); i++) {
      int r = run.results()[i];
      if (names.get(i).equals("poke")) {
        continue;
      }
      if (r >= 0 && r <= MAX_STATUS) {
        STATUSES.incrementAndGet(r);
      } else {
        fail(
            names.get(i)
                + " answered "
                + r
                + ", not a proxy-wasm status, in "
                + run.callback()
                + ", after "
                + steps);
      }
    }
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

  /** The edges of the plugin's memory and of 32-bit pointers and lengths. */
  private static final long[] EDGES = {
    FuzzDriver.MEMORY - 1,
    FuzzDriver.MEMORY - 4,
    FuzzDriver.MEMORY - 8,
    FuzzDriver.MEMORY,
    FuzzDriver.MEMORY + 1,
    FuzzDriver.SCRATCH,
    0x10000L,
    0x7FFF_FFFFL,
    0x8000_0000L,
    0xFFFF_FFF0L,
    0xFFFF_FFFFL,
    -1L
  };

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
        return EDGES[data.consumeInt(0, EDGES.length - 1)];
      default:
        return data.consumeLong();
    }
  }

  private static final String[] PATH_SEGMENTS = {
    "request",
    "path",
    "headers",
    "source",
    "address",
    "node",
    "id",
    "plugin_name",
    "plugin_root_id",
    "plugin_vm_id",
    "connection",
    "response",
    "code",
    "",
    "x"
  };

  /** What is stored into memory: a pairs buffer, a property path (maybe NUL-ended), raw bytes. */
  static byte[] content(FuzzedDataProvider data) {
    switch (data.consumeInt(0, 2)) {
      case 0:
        {
          int n = data.consumeInt(0, 5);
          List<Map.Entry<String, String>> pairs = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            pairs.add(Map.entry(latin1(data, 12), latin1(data, 12)));
          }
          return Pairs.encode(pairs);
        }
      case 1:
        {
          int n = data.consumeInt(0, 4);
          List<String> segments = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            segments.add(PATH_SEGMENTS[data.consumeInt(0, PATH_SEGMENTS.length - 1)]);
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

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  // ---- driving the streams ----------------------------------------------------------------------

  /** The streams of one session. */
  private static final class Session {
    final Shared s;
    HttpStream http;
    TcpStream tcp;

    /** How far the HTTP stream went: the index of its last event, -1 for none. */
    int stage = -1;

    boolean tcpStarted;

    Session(Shared s) {
      this.s = s;
    }

    HttpStream http() {
      if (http == null) {
        http = s.handle.newHttpStream(HttpStreamListener.IGNORE);
      }
      return http;
    }

    TcpStream tcp() {
      if (tcp == null) {
        tcp = s.handle.newTcpStream(TcpStreamListener.IGNORE, PropertyResolver.NONE);
      }
      return tcp;
    }

    /**
     * Brings the HTTP stream to just before an event, in Envoy's order: the events it skipped are
     * sent first, and an event it already passed starts a new stream.
     */
    void at(int event) {
      if (event <= stage) {
        closeHttp();
      }
      while (stage < event - 1) {
        send(stage + 1);
      }
    }

    private void send(int event) {
      switch (event) {
        case 0 ->
            http().onRequestHeaders(HeaderMap.of(":path", "/a", ":method", "GET", "x", "1"), false);
        case 1 -> http().onRequestBody(new BodyBuffer(bytes("request body")), false);
        case 2 -> http().onRequestTrailers(HeaderMap.of("t", "1"));
        case 3 -> http().onResponseHeaders(HeaderMap.of(":status", "200", "y", "2"), false);
        case 4 -> http().onResponseBody(new BodyBuffer(bytes("response body")), false);
        default -> http().onResponseTrailers(HeaderMap.of("u", "2"));
      }
      stage = event;
    }

    void run(Action action) {
      switch (action) {
        case REQUEST_HEADERS,
            REQUEST_BODY,
            REQUEST_TRAILERS,
            RESPONSE_HEADERS,
            RESPONSE_BODY,
            RESPONSE_TRAILERS -> {
          int event = action.ordinal();
          at(event);
          send(event);
        }
        case NEW_STREAM -> {
          closeHttp();
          send(0);
        }
        case STREAM_LOG, STREAM_DONE, STREAM_DELETE -> {
          http();
          closeHttp();
        }
        case TICK -> s.handle.tick();
        case QUEUE -> {
          s.host.sharedQueues().enqueue(s.queue, bytes("item"));
          s.scheduler.advance(Duration.ofMillis(1));
        }
        case TCP_NEW -> {
          closeTcp();
          tcp().onNewConnection();
          tcpStarted = true;
        }
        case TCP_DOWNSTREAM -> startedTcp().onDownstreamData(new BodyBuffer(bytes("down")), false);
        case TCP_UPSTREAM -> startedTcp().onUpstreamData(new BodyBuffer(bytes("up")), false);
        case TCP_CLOSE -> {
          startedTcp();
          closeTcp();
        }
      }
    }

    private TcpStream startedTcp() {
      if (!tcpStarted) {
        tcp().onNewConnection();
        tcpStarted = true;
      }
      return tcp();
    }

    void closeHttp() {
      if (http != null) {
        http.onLog();
        http.close();
        http = null;
      }
      stage = -1;
    }

    void closeTcp() {
      if (tcp != null) {
        tcp.onConnectionClose(StreamType.DOWNSTREAM, PeerType.REMOTE);
        tcp.close();
        tcp = null;
      }
      tcpStarted = false;
    }

    void close() {
      closeHttp();
      closeTcp();
      s.scheduler.advance(Duration.ofMillis(1));
    }
  }
}

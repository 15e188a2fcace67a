package io.proxywasm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.proxywasm.host.internal.Pairs;
import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.StreamType;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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
  private static final int MAX_STATUS = 12;

  private static final class Shared {
    final ManualScheduler scheduler = new ManualScheduler();
    final FuzzDriver.Feed feed = new FuzzDriver.Feed();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final InMemoryExtension metrics = new InMemoryExtension();
    final ProxyWasmHost host;
    final Plugin plugin;
    final TestSupport.RecordingLog log = new TestSupport.RecordingLog();
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
                      .logSink(log)
                      .scheduler(scheduler)
                      .extension(events)
                      .logLimit(new LogLimit(1 << 30, 1 << 30))
                      .properties(
                          path ->
                              path.equals(List.of("node", "id"))
                                  ? Optional.of("fuzz-node".getBytes(StandardCharsets.UTF_8))
                                  : Optional.empty()))
              .build();
      plugin =
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

  /** One step of a session. */
  record Step(Action action, FuzzDriver.Program program) {
    @Override
    public String toString() {
      return action + " " + program;
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
    Session session = new Session(s, s.handle, s.queue);
    for (Step step : steps) {
      s.feed.next(step.action().callback, step.program());
      PROGRAMS.computeIfAbsent(step.action().callback, k -> new long[2])[0]++;
      session.run(step.action());
    }
    session.close();
    for (FuzzDriver.Feed.Run run : s.feed.runs()) {
      PROGRAMS.computeIfAbsent(run.callback(), k -> new long[2])[1]++;
      checkStatuses(run);
    }
    s.feed.clear();
    if (!s.failures.isEmpty()) {
      fail("the VM failed: " + s.failures);
    }
    assertEquals(s.baseline, s.worker.liveContexts(), "contexts left once every stream closed");
  }

  private static void checkStatuses(FuzzDriver.Feed.Run run) {
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
                + ": "
                + names);
      }
    }
  }

  /** The streams of one session. */
  private static final class Session {
    final Shared s;
    final PluginHandle handle;
    final int queue;
    HttpStream http;
    TcpStream tcp;

    Session(Shared s, PluginHandle handle, int queue) {
      this.s = s;
      this.handle = handle;
      this.queue = queue;
    }

    HttpStream http() {
      if (http == null) {
        http = handle.newHttpStream(HttpStreamListener.IGNORE);
      }
      return http;
    }

    TcpStream tcp() {
      if (tcp == null) {
        tcp = handle.newTcpStream(TcpStreamListener.IGNORE, PropertyResolver.NONE);
      }
      return tcp;
    }

    /** How far the HTTP stream went: the index of its last event, -1 for none. */
    int stage = -1;

    boolean tcpStarted;

    /**
     * Brings the HTTP stream to just before an event, in Envoy's order (request headers, body,
     * trailers, response headers, body, trailers): the events it skipped are sent first, with no
     * program, and an event it already passed starts a new stream.
     */
    HttpStream at(int event) {
      if (event <= stage) {
        closeHttp();
      }
      while (stage < event - 1) {
        send(stage + 1);
      }
      stage = event;
      return http();
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
        case TICK -> handle.tick();
        case QUEUE -> {
          s.host.sharedQueues().enqueue(queue, bytes("item"));
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

  /** The edges of memory and of 32-bit pointers. */
  private static final List<Long> EDGES =
      List.of(
          FuzzDriver.MEMORY - 1L,
          FuzzDriver.MEMORY - 4L,
          FuzzDriver.MEMORY - 8L,
          (long) FuzzDriver.MEMORY,
          FuzzDriver.MEMORY + 1L,
          0x10000L,
          0x7FFF_FFFFL,
          0x8000_0000L,
          0xFFFF_FFF0L,
          0xFFFF_FFFFL,
          -1L);

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
      case 4 -> g.oneOf(EDGES);
      default -> g.anyLong();
    };
  }

  /** The segments property paths are made of. */
  private static final List<String> SEGMENTS =
      List.of(
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
          "x");

  /**
   * What is poked into memory, each as likely: a pairs buffer, a property path, a path with a final
   * NUL, random bytes.
   */
  static byte[] content(Gen g) {
    return switch (g.weighted(1, 1, 1, 1)) {
      case 0 -> Pairs.encode(g.list(0, 5, x -> Map.entry(x.byteString(12), x.byteString(12))));
      case 1 -> path(g);
      case 2 -> {
        byte[] p = path(g);
        yield java.util.Arrays.copyOf(p, p.length + 1);
      }
      default -> g.bytes(48);
    };
  }

  private static byte[] path(Gen g) {
    return bytes(g.list(0, 4, x -> x.oneOf(SEGMENTS)).stream().collect(Collectors.joining("\0")));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}

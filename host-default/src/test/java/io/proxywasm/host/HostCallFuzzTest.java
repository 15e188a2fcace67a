package io.proxywasm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.proxywasm.host.internal.Pairs;
import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Random host calls from a plugin: sequences of calls to any proxy-wasm host function, with random
 * pointers (in the plugin's memory, at its end, past it), lengths, map and buffer types, context
 * ids and enum values, over memory holding random bytes, pairs buffers and property paths, made
 * from inside any callback of HTTP and TCP streams, ticks and queue deliveries (see {@link
 * FuzzDriver}). The properties: no exception reaches the embedder, every call answers a proxy-wasm
 * status, no call fails the VM, and no context is left behind once the streams are closed.
 */
@AddLifecycleHook(FuzzBudget.class)
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

  @AfterContainer
  static synchronized void closeHost() {
    StringBuilder counts = new StringBuilder();
    long calls = 0;
    for (int i = 0; i <= MAX_STATUS; i++) {
      calls += STATUSES.get(i);
      counts.append(' ').append(io.proxywasm.spi.WasmResult.fromCode(i).orElseThrow()).append('=');
      counts.append(STATUSES.get(i));
    }
    System.out.println(
        "host-call fuzz: " + TRIES.get() + " tries, " + calls + " host calls answered:" + counts);
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

  @Property(
      tries = 60,
      seed = "20261202",
      edgeCases = EdgeCasesMode.MIXIN,
      shrinking = ShrinkingMode.BOUNDED)
  void hostCallsFromAnyCallbackAnswerAStatusAndLeakNothing(@ForAll("sessions") List<Step> steps)
      throws Exception {
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
      fail("the VM failed: " + s.failures + " after " + steps);
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
        tcp.onConnectionClose(false, PeerType.REMOTE);
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

  @Provide
  Arbitrary<List<Step>> sessions() {
    Arbitrary<Step> step =
        Combinators.combine(Arbitraries.of(Action.class), programs()).as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(8);
  }

  static Arbitrary<FuzzDriver.Program> programs() {
    Arbitrary<long[]> call =
        Combinators.combine(
                Arbitraries.integers().between(0, FuzzDriver.IMPORTS.size() - 1),
                argument().array(long[].class).ofSize(12))
            .as(
                (index, args) -> {
                  long[] op = new long[13];
                  op[0] = index;
                  System.arraycopy(args, 0, op, 1, 12);
                  return op;
                });
    Arbitrary<long[]> poke =
        Combinators.combine(Arbitraries.integers().between(0, 0x1F0).map(a -> a * 16), content())
            .as(
                (address, data) -> {
                  long[] op = new long[2 + data.length];
                  op[0] = -1;
                  op[1] = address;
                  for (int i = 0; i < data.length; i++) {
                    op[2 + i] = data[i];
                  }
                  return op;
                });
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, call), net.jqwik.api.Tuple.of(1, poke))
        .list()
        .ofMinSize(1)
        .ofMaxSize(12)
        .map(
            ops -> {
              FuzzDriver.Program p = new FuzzDriver.Program();
              for (long[] op : ops) {
                if (op[0] < 0) {
                  byte[] data = new byte[op.length - 2];
                  for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) op[2 + i];
                  }
                  p.poke((int) op[1], data);
                } else {
                  long[] args = new long[12];
                  System.arraycopy(op, 1, args, 0, 12);
                  p.call((int) op[0], args);
                }
              }
              return p;
            });
  }

  /**
   * An argument: an enum value or id, the id of the context the program runs in or of the one the
   * previous program ran in, a pointer into the data, a length, an edge, anything.
   */
  static Arbitrary<Long> argument() {
    long end = FuzzDriver.MEMORY;
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.longs().between(0, 10)),
        net.jqwik.api.Tuple.of(
            2, Arbitraries.of(FuzzDriver.THIS_CONTEXT, FuzzDriver.OTHER_CONTEXT)),
        net.jqwik.api.Tuple.of(4, Arbitraries.longs().between(0, FuzzDriver.SCRATCH)),
        net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(0, 64)),
        net.jqwik.api.Tuple.of(
            1,
            Arbitraries.of(
                end - 1,
                end - 4,
                end - 8,
                end,
                end + 1,
                0x10000L,
                0x7FFF_FFFFL,
                0x8000_0000L,
                0xFFFF_FFF0L,
                0xFFFF_FFFFL,
                -1L)),
        net.jqwik.api.Tuple.of(1, Arbitraries.longs()));
  }

  /** What is poked into memory: random bytes, a pairs buffer, a property path, a number. */
  static Arbitrary<byte[]> content() {
    Arbitrary<String> bytesAsString =
        Arbitraries.strings().withCharRange('\0', '\u00ff').ofMaxLength(12);
    Arbitrary<byte[]> pairs =
        Combinators.combine(bytesAsString, bytesAsString)
            .as(Map::entry)
            .list()
            .ofMaxSize(5)
            .map(Pairs::encode);
    Arbitrary<byte[]> path =
        Arbitraries.of(
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
                "x")
            .list()
            .ofMaxSize(4)
            .map(segments -> String.join("\0", segments))
            .map(p -> p.getBytes(StandardCharsets.ISO_8859_1));
    Arbitrary<byte[]> trailingNul = path.map(p -> java.util.Arrays.copyOf(p, p.length + 1));
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(48);
    return Arbitraries.oneOf(pairs, path, trailingNul, random);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}

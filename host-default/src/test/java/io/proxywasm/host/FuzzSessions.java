package io.proxywasm.host;

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
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the host-call fuzzers share: one host, plugin and worker running {@link FuzzDriver}, the
 * events an embedder sends ({@link Action}), and the streams of one session ({@link Session}),
 * which bring each stream to the event a step fuzzes in Envoy's order. {@link HostCallFuzzTest}
 * draws the sessions from a seed, {@link HostCallCoverageFuzzTest} from Jazzer's input.
 */
final class FuzzSessions {
  private FuzzSessions() {}

  /** The edges of the plugin's memory and of 32-bit pointers and lengths. */
  static final List<Long> EDGES =
      List.of(
          FuzzDriver.MEMORY - 1L,
          FuzzDriver.MEMORY - 4L,
          FuzzDriver.MEMORY - 8L,
          (long) FuzzDriver.MEMORY,
          FuzzDriver.MEMORY + 1L,
          (long) FuzzDriver.SCRATCH,
          0x10000L,
          0x7FFF_FFFFL,
          0x8000_0000L,
          0xFFFF_FFF0L,
          0xFFFF_FFFFL,
          -1L);

  /** The segments property paths are made of. */
  static final List<String> PATH_SEGMENTS =
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

  /** The largest proxy-wasm status a host call may answer ({@code WasmResult} codes 0..12). */
  static final int MAX_STATUS = 12;

  /**
   * Checks that every host call of a program run answered a proxy-wasm status, and counts them.
   *
   * @param run what the driver plugin ran in one callback
   * @param statuses the count per status
   * @param context what the failure message says of where it happened
   */
  static void checkStatuses(
      FuzzDriver.Feed.Run run,
      java.util.concurrent.atomic.AtomicLongArray statuses,
      String context) {
    List<String> names = run.program().names();
    org.junit.jupiter.api.Assertions.assertEquals(
        names.size(), run.results().length, "one result per op");
    for (int i = 0; i < names.size(); i++) {
      int r = run.results()[i];
      if (names.get(i).equals("poke")) {
        continue;
      }
      if (r >= 0 && r <= MAX_STATUS) {
        statuses.incrementAndGet(r);
      } else {
        org.junit.jupiter.api.Assertions.fail(
            names.get(i)
                + " answered "
                + r
                + ", not a proxy-wasm status, in "
                + run.callback()
                + ", "
                + context);
      }
    }
  }

  /** One host, plugin and worker for every input (as the fuzzer reuses the test instance). */
  static final class Shared {
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
                      .logSink(TestSupport.NO_LOGS)
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

  /** The streams of one session. */
  static final class Session {
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

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}

package io.proxywasm.testkit;

import io.proxywasm.host.GrpcCallHandler;
import io.proxywasm.host.GrpcCallRequest;
import io.proxywasm.host.HttpCallHandler;
import io.proxywasm.host.HttpCallRequest;
import io.proxywasm.host.HttpCallResponse;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.WasmResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Scripted upstreams for a plugin's HTTP and gRPC callouts, and a record of every call made. Each
 * upstream (Envoy cluster) answers, fails, never answers so that the host's timeout answers the
 * plugin, or holds each call until the test answers it; an upstream with no script is unknown,
 * which Envoy and this host report to the plugin as {@code BadArgument} for HTTP and a rejected
 * call for gRPC.
 *
 * <pre>{@code
 * FakeUpstreams upstreams = new FakeUpstreams()
 *     .respond("auth", 200, "allowed")
 *     .fail("quota", "connection reset")
 *     .hang("slow");
 * ProxyWasmTestKit.runtime("chicory").plugin(wasm).upstreams(upstreams).start();
 * ...
 * assertEquals("/check", upstreams.calls("auth").get(0).headers()...);
 * }</pre>
 */
public final class FakeUpstreams implements HttpCallHandler, GrpcCallHandler {
  /** What an upstream does with an HTTP callout. */
  private sealed interface HttpScript permits Answer, Failure, Hang, Hold {}

  private record Answer(Function<HttpCallRequest, HttpCallResponse> response)
      implements HttpScript {}

  private record Failure(String reason) implements HttpScript {}

  private record Hang() implements HttpScript {}

  private record Hold() implements HttpScript {}

  /** A call held for the test to answer. */
  private record Pending(HttpCallRequest request, HttpCallHandler.Callback callback) {}

  /** A gRPC answer: a response message and a status, or a status alone. */
  private record GrpcScript(byte[] message, int status, String statusMessage, boolean hang) {}

  private final Map<String, HttpScript> http = new ConcurrentHashMap<>();
  private final Map<String, GrpcScript> grpc = new ConcurrentHashMap<>();
  private final List<HttpCallRequest> httpCalls = new CopyOnWriteArrayList<>();
  private final List<GrpcCallRequest> grpcCalls = new CopyOnWriteArrayList<>();
  private final List<Pending> pending = new CopyOnWriteArrayList<>();

  /** Creates upstreams that know no cluster yet. */
  public FakeUpstreams() {}

  /**
   * Makes an upstream answer every HTTP callout with a status and a text body.
   *
   * @param upstream the cluster name
   * @param status the {@code :status}
   * @param body the body, sent as UTF-8
   * @return this
   */
  public FakeUpstreams respond(String upstream, int status, String body) {
    HttpCallResponse response =
        new HttpCallResponse(
            List.of(Header.of(":status", Integer.toString(status))),
            body.getBytes(StandardCharsets.UTF_8),
            List.of());
    return respond(upstream, request -> response);
  }

  /**
   * Makes an upstream answer every HTTP callout with what a function computes from the request.
   *
   * @param upstream the cluster name
   * @param response the answer for a request
   * @return this
   */
  public FakeUpstreams respond(
      String upstream, Function<HttpCallRequest, HttpCallResponse> response) {
    http.put(name(upstream), new Answer(Objects.requireNonNull(response, "response")));
    return this;
  }

  /**
   * Makes an upstream fail every HTTP callout (a reset): the plugin gets its callback with no
   * headers, as Envoy delivers a failed call.
   *
   * @param upstream the cluster name
   * @param reason why, for logs
   * @return this
   */
  public FakeUpstreams fail(String upstream, String reason) {
    http.put(name(upstream), new Failure(Objects.requireNonNull(reason, "reason")));
    return this;
  }

  /**
   * Makes an upstream accept HTTP callouts and never answer: the host's timeout answers the plugin
   * when the test advances time past the call's timeout.
   *
   * @param upstream the cluster name
   * @return this
   */
  public FakeUpstreams hang(String upstream) {
    http.put(name(upstream), new Hang());
    return this;
  }

  /**
   * Makes an upstream accept HTTP callouts and hold them until the test answers them with {@link
   * #answer} or {@link #failPending}, in the order they were made; a call not answered before its
   * timeout gets the timeout, and a later answer is dropped, as in Envoy.
   *
   * @param upstream the cluster name
   * @return this
   */
  public FakeUpstreams hold(String upstream) {
    http.put(name(upstream), new Hold());
    return this;
  }

  /**
   * Answers the oldest held call to an upstream. The plugin gets the answer with the next delivery
   * of what is due ({@code runDue()}, {@code advance(...)}).
   *
   * @param upstream the cluster name
   * @param status the {@code :status}
   * @param body the body, sent as UTF-8
   * @throws IllegalStateException if no call to the upstream is held
   */
  public void answer(String upstream, int status, String body) {
    take(upstream)
        .callback()
        .onResponse(
            new HttpCallResponse(
                List.of(Header.of(":status", Integer.toString(status))),
                body.getBytes(StandardCharsets.UTF_8),
                List.of()));
  }

  /**
   * Fails the oldest held call to an upstream (a reset): the plugin gets its callback with no
   * headers.
   *
   * @param upstream the cluster name
   * @param reason why, for logs
   * @throws IllegalStateException if no call to the upstream is held
   */
  public void failPending(String upstream, String reason) {
    take(upstream).callback().onFailure(reason);
  }

  /**
   * Returns how many calls to an upstream are held, waiting for the test.
   *
   * @param upstream the cluster name
   * @return the number
   */
  public int pending(String upstream) {
    return (int) pending.stream().filter(p -> p.request().upstream().equals(upstream)).count();
  }

  private synchronized Pending take(String upstream) {
    for (Pending p : pending) {
      if (p.request().upstream().equals(upstream)) {
        pending.remove(p);
        return p;
      }
    }
    throw new IllegalStateException(
        "no call to '"
            + upstream
            + "' is held for an answer: hold(\""
            + upstream
            + "\") makes its calls wait; calls made to it: "
            + calls(upstream).size());
  }

  /**
   * Makes a gRPC cluster answer each call with one message and status 0 (OK).
   *
   * @param cluster the cluster name, as the plugin names it in the call's service
   * @param message the serialised response message
   * @return this
   */
  public FakeUpstreams grpcRespond(String cluster, byte[] message) {
    grpc.put(name(cluster), new GrpcScript(message.clone(), 0, "", false));
    return this;
  }

  /**
   * Makes a gRPC cluster close each call with a status and no message.
   *
   * @param cluster the cluster name
   * @param status the gRPC status code
   * @param message the status message
   * @return this
   */
  public FakeUpstreams grpcFail(String cluster, int status, String message) {
    grpc.put(name(cluster), new GrpcScript(null, status, message, false));
    return this;
  }

  /**
   * Makes a gRPC cluster accept calls and never answer, so that timeouts fire.
   *
   * @param cluster the cluster name
   * @return this
   */
  public FakeUpstreams grpcHang(String cluster) {
    grpc.put(name(cluster), new GrpcScript(null, 0, "", true));
    return this;
  }

  private static String name(String upstream) {
    return Objects.requireNonNull(upstream, "upstream");
  }

  /**
   * Returns every HTTP callout made, in order, including those to unknown upstreams.
   *
   * @return the calls
   */
  public List<HttpCallRequest> calls() {
    return List.copyOf(httpCalls);
  }

  /**
   * Returns the HTTP callouts made to one upstream.
   *
   * @param upstream the cluster name
   * @return the calls, in order
   */
  public List<HttpCallRequest> calls(String upstream) {
    return httpCalls.stream().filter(c -> c.upstream().equals(upstream)).toList();
  }

  /**
   * Returns every gRPC call and stream opened, in order.
   *
   * @return the calls
   */
  public List<GrpcCallRequest> grpcCalls() {
    return List.copyOf(grpcCalls);
  }

  @Override
  public WasmResult dispatch(HttpCallRequest request, HttpCallHandler.Callback callback) {
    httpCalls.add(request);
    HttpScript script = http.get(request.upstream());
    if (script == null) {
      return WasmResult.BAD_ARGUMENT;
    }
    if (script instanceof Answer a) {
      callback.onResponse(a.response().apply(request));
    } else if (script instanceof Failure f) {
      callback.onFailure(f.reason());
    } else if (script instanceof Hold) {
      pending.add(new Pending(request, callback));
    }
    return WasmResult.OK;
  }

  @Override
  public Outbound open(GrpcCallRequest request, Callbacks callbacks) throws Rejected {
    grpcCalls.add(request);
    String cluster = new String(request.service(), StandardCharsets.UTF_8);
    GrpcScript script = grpc.get(cluster);
    if (script == null) {
      throw new Rejected(WasmResult.PARSE_FAILURE, "unknown gRPC cluster " + cluster);
    }
    if (!script.hang()) {
      if (script.message() != null) {
        callbacks.onMessage(script.message().clone());
      }
      callbacks.onClose(script.status(), script.statusMessage());
    }
    return new Outbound() {};
  }
}

package io.proxywasm.host.internal.vm;

import io.proxywasm.host.FailPolicy;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Callback;
import io.proxywasm.spi.FilterDataStatus;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.FilterStatus;
import io.proxywasm.spi.FilterTrailersStatus;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.StreamType;

/**
 * The callbacks only a stream context receives: HTTP headers, bodies, trailers and metadata, TCP
 * connections and data, each with cpp-host's conversion of the plugin's result and the plugin's
 * fail policy once its VM has failed. Roots carry none of it. Stateless: what a stream's callbacks
 * remember (whether the plugin saw its request, whether the fail policy failed it) is kept on its
 * {@link Context}, so that opening a stream makes no object for them. Called inside the VM.
 */
public final class StreamCallbacks {
  private StreamCallbacks() {}

  private static boolean isResponse(StreamType direction) {
    if (direction != StreamType.REQUEST && direction != StreamType.RESPONSE) {
      throw new IllegalArgumentException(
          "an HTTP stream has a request and a response, not " + direction);
    }
    return direction == StreamType.RESPONSE;
  }

  private static boolean isUpstream(StreamType side) {
    if (side != StreamType.DOWNSTREAM && side != StreamType.UPSTREAM) {
      throw new IllegalArgumentException(
          "a TCP stream has a downstream and an upstream side, not " + side);
    }
    return side == StreamType.UPSTREAM;
  }

  private static boolean failOpen(Context ctx) {
    return ctx.plugin().config().failPolicy() == FailPolicy.FAIL_OPEN;
  }

  /**
   * Applies the fail policy if the VM has failed: fails the stream once, unless the plugin fails
   * open.
   *
   * @param ctx the stream's context
   * @param first the first direction to fail
   * @param second the second direction to fail
   * @return true if the VM has failed (the caller returns its fail value)
   */
  private static boolean checkFailed(Context ctx, StreamType first, StreamType second) {
    if (!ctx.wasm().isFailed()) {
      return false;
    }
    if (!failOpen(ctx) && !ctx.streamFailed()) {
      ctx.markStreamFailed();
      ctx.stream().failStream(first);
      ctx.stream().failStream(second);
    }
    return true;
  }

  private static FilterHeadersStatus headersFailValue(Context ctx) {
    return failOpen(ctx)
        ? FilterHeadersStatus.CONTINUE
        : FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
  }

  /**
   * Calls a header callback: {@code proxy_on_request_headers} or {@code proxy_on_response_headers}.
   *
   * @param ctx the stream's context
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   * @param headers the number of headers
   * @param endOfStream whether no body follows
   * @return the status, converted as cpp-host converts it
   */
  public static FilterHeadersStatus onHeaders(
      Context ctx, StreamType direction, int headers, boolean endOfStream) {
    boolean response = isResponse(direction);
    if (response && !ctx.requestStarted()) {
      // Envoy's encodeHeaders: a stream whose request the plugin never saw passes untouched
      return FilterHeadersStatus.CONTINUE;
    }
    if (checkFailed(ctx, StreamType.REQUEST, StreamType.RESPONSE)) {
      return headersFailValue(ctx);
    }
    ctx.onCreate();
    ctx.markRequestStarted();
    WasmBase wasm = ctx.wasm();
    int id = ctx.id();
    long r;
    if (wasm.abi() == AbiVersion.V0_1_0) {
      r =
          wasm.calls()
              .callForStatus(
                  ctx,
                  response ? Callback.ON_RESPONSE_HEADERS_0_1_0 : Callback.ON_REQUEST_HEADERS_0_1_0,
                  id,
                  headers);
    } else {
      r =
          wasm.calls()
              .callForStatus(
                  ctx,
                  response ? Callback.ON_RESPONSE_HEADERS : Callback.ON_REQUEST_HEADERS,
                  id,
                  headers,
                  endOfStream ? 1 : 0);
    }
    if (checkFailed(ctx, StreamType.REQUEST, StreamType.RESPONSE)) {
      return headersFailValue(ctx);
    }
    long code = r & 0xFFFF_FFFFL;
    if ((r >>> 32) != 0 || code > 4 || code == 1) {
      return FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
    }
    return FilterHeadersStatus.fromCode(code).orElseThrow();
  }

  /**
   * Whether a body event of a stream the plugin has seen is answered Continue without entering the
   * VM: cpp-host's {@code onRequestBody}/{@code onResponseBody} return Continue when the module
   * does not export the callback, once its fail check has passed. Nothing a host call could see
   * changes (the body is offered to the plugin only during its callback), so the event takes no
   * lock. Read without the VM's lock: the exports are fixed at load, the fail state is atomic, and
   * the context is only created by this stream's own earlier event.
   *
   * @param ctx the stream's context
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   * @return true if the event needs no call into the VM
   */
  public static boolean bodyPassesWithoutCall(Context ctx, StreamType direction) {
    WasmBase w = ctx.wasm();
    return ctx.createdInVm()
        && !w.calls()
            .has(isResponse(direction) ? Callback.ON_RESPONSE_BODY : Callback.ON_REQUEST_BODY)
        && !w.isFailed()
        && !w.isClosed();
  }

  /**
   * Calls a body callback.
   *
   * @param ctx the stream's context
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   * @param length the number of bytes buffered
   * @param endOfStream whether this is the last chunk
   * @return the status, converted as cpp-host converts it
   */
  public static FilterDataStatus onBody(
      Context ctx, StreamType direction, int length, boolean endOfStream) {
    boolean response = isResponse(direction);
    if (!ctx.requestStarted()) {
      return FilterDataStatus.CONTINUE;
    }
    if (checkFailed(ctx, StreamType.REQUEST, StreamType.RESPONSE)) {
      return failOpen(ctx) ? FilterDataStatus.CONTINUE : FilterDataStatus.STOP_ITERATION_NO_BUFFER;
    }
    ctx.onCreate();
    long r =
        ctx.wasm()
            .calls()
            .callForStatus(
                ctx,
                response ? Callback.ON_RESPONSE_BODY : Callback.ON_REQUEST_BODY,
                ctx.id(),
                length,
                endOfStream ? 1 : 0);
    if (checkFailed(ctx, StreamType.REQUEST, StreamType.RESPONSE)) {
      return failOpen(ctx) ? FilterDataStatus.CONTINUE : FilterDataStatus.STOP_ITERATION_NO_BUFFER;
    }
    long code = r & 0xFFFF_FFFFL;
    if ((r >>> 32) != 0 || code > 3) {
      return FilterDataStatus.STOP_ITERATION_NO_BUFFER;
    }
    return FilterDataStatus.fromCode(code).orElseThrow();
  }

  /**
   * Calls a trailer callback.
   *
   * @param ctx the stream's context
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   * @param trailers the number of trailers
   * @return the status, converted as cpp-host converts it
   */
  public static FilterTrailersStatus onTrailers(Context ctx, StreamType direction, int trailers) {
    boolean response = isResponse(direction);
    if (!ctx.requestStarted()) {
      return FilterTrailersStatus.CONTINUE;
    }
    if (checkFailed(ctx, StreamType.REQUEST, StreamType.RESPONSE)) {
      return failOpen(ctx) ? FilterTrailersStatus.CONTINUE : FilterTrailersStatus.STOP_ITERATION;
    }
    ctx.onCreate();
    long r =
        ctx.wasm()
            .calls()
            .callForStatus(
                ctx,
                response ? Callback.ON_RESPONSE_TRAILERS : Callback.ON_REQUEST_TRAILERS,
                ctx.id(),
                trailers);
    if (checkFailed(ctx, StreamType.REQUEST, StreamType.RESPONSE)) {
      return failOpen(ctx) ? FilterTrailersStatus.CONTINUE : FilterTrailersStatus.STOP_ITERATION;
    }
    long code = r & 0xFFFF_FFFFL;
    return (r >>> 32) != 0 || code > 1
        ? FilterTrailersStatus.STOP_ITERATION
        : FilterTrailersStatus.fromCode(code).orElseThrow();
  }

  /**
   * Calls a metadata callback; metadata always continues.
   *
   * @param ctx the stream's context
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   * @param elements the number of metadata elements
   */
  public static void onMetadata(Context ctx, StreamType direction, int elements) {
    boolean response = isResponse(direction);
    if (!ctx.requestStarted()) {
      return;
    }
    if (checkFailed(ctx, StreamType.REQUEST, StreamType.RESPONSE)) {
      return;
    }
    ctx.onCreate();
    ctx.wasm()
        .calls()
        .callIn(
            ctx,
            response ? Callback.ON_RESPONSE_METADATA : Callback.ON_REQUEST_METADATA,
            ctx.id(),
            elements);
    checkFailed(ctx, StreamType.REQUEST, StreamType.RESPONSE);
  }

  // ---- TCP ------------------------------------------------------------------------------------

  /** A network callback: {@code proxy_on_new_connection(id)}, or a data callback's three. */
  private static FilterStatus network(
      Context ctx, Callback cb, boolean data, long length, boolean endOfStream) {
    if (checkFailed(ctx, StreamType.DOWNSTREAM, StreamType.UPSTREAM)) {
      return failOpen(ctx) ? FilterStatus.CONTINUE : FilterStatus.STOP_ITERATION;
    }
    ctx.onCreate();
    CallDispatcher calls = ctx.wasm().calls();
    long r =
        data
            ? calls.callIn(ctx, cb, ctx.id(), length, endOfStream ? 1 : 0)
            : calls.callIn(ctx, cb, ctx.id());
    if (checkFailed(ctx, StreamType.DOWNSTREAM, StreamType.UPSTREAM)) {
      return failOpen(ctx) ? FilterStatus.CONTINUE : FilterStatus.STOP_ITERATION;
    }
    return r == 0 ? FilterStatus.CONTINUE : FilterStatus.STOP_ITERATION;
  }

  /**
   * Calls {@code proxy_on_new_connection}.
   *
   * @param ctx the stream's context
   * @return the status
   */
  public static FilterStatus onNewConnection(Context ctx) {
    return network(ctx, Callback.ON_NEW_CONNECTION, false, 0, false);
  }

  /**
   * Calls {@code proxy_on_downstream_data} or {@code proxy_on_upstream_data}.
   *
   * @param ctx the stream's context
   * @param side {@link StreamType#DOWNSTREAM} or {@link StreamType#UPSTREAM}
   * @param length the bytes buffered
   * @param endOfStream whether the peer closed its side
   * @return the status
   */
  public static FilterStatus onData(Context ctx, StreamType side, int length, boolean endOfStream) {
    boolean upstream = isUpstream(side);
    if (!ctx.createdInVm()) {
      return FilterStatus.CONTINUE; // Envoy's onData/onWrite before the connection was seen
    }
    return network(
        ctx,
        upstream ? Callback.ON_UPSTREAM_DATA : Callback.ON_DOWNSTREAM_DATA,
        true,
        length,
        endOfStream);
  }

  /**
   * Calls {@code proxy_on_downstream_connection_close} or {@code
   * proxy_on_upstream_connection_close}.
   *
   * @param ctx the stream's context
   * @param side {@link StreamType#DOWNSTREAM} or {@link StreamType#UPSTREAM}
   * @param peer who closed it
   */
  public static void onConnectionClose(Context ctx, StreamType side, PeerType peer) {
    boolean upstream = isUpstream(side);
    // Envoy's Context::onEvent: nothing for a connection the plugin never saw
    if (!ctx.wasm().isFailed() && ctx.createdInVm()) {
      ctx.wasm()
          .calls()
          .callIn(
              ctx,
              upstream
                  ? Callback.ON_UPSTREAM_CONNECTION_CLOSE
                  : Callback.ON_DOWNSTREAM_CONNECTION_CLOSE,
              ctx.id(),
              peer.code());
    }
  }
}

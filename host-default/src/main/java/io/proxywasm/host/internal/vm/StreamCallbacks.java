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
 * fail policy once its VM has failed. Roots carry none of it. Called inside the VM.
 */
public final class StreamCallbacks {
  private final Context ctx;
  private final WasmBase wasm;
  private final StreamRole stream;
  private final int id;
  private boolean requestStarted;
  private boolean streamFailed;

  StreamCallbacks(Context ctx, WasmBase wasm, StreamRole stream) {
    this.ctx = ctx;
    this.wasm = wasm;
    this.stream = stream;
    this.id = ctx.id();
  }

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

  private boolean failOpen() {
    return ctx.plugin().config().failPolicy() == FailPolicy.FAIL_OPEN;
  }

  /**
   * Applies the fail policy if the VM has failed.
   *
   * @param first the first direction to fail
   * @param second the second direction to fail
   * @return true if the VM has failed (the caller returns its fail value)
   */
  private boolean checkFailed(StreamType first, StreamType second) {
    if (!wasm.isFailed()) {
      return false;
    }
    if (!failOpen() && !streamFailed) {
      streamFailed = true;
      stream.failStream(first);
      stream.failStream(second);
    }
    return true;
  }

  private FilterHeadersStatus headersFailValue() {
    return failOpen()
        ? FilterHeadersStatus.CONTINUE
        : FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
  }

  /**
   * Calls a header callback: {@code proxy_on_request_headers} or {@code proxy_on_response_headers}.
   *
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   * @param headers the number of headers
   * @param endOfStream whether no body follows
   * @return the status, converted as cpp-host converts it
   */
  public FilterHeadersStatus onHeaders(StreamType direction, int headers, boolean endOfStream) {
    boolean response = isResponse(direction);
    if (response && !requestStarted) {
      // Envoy's encodeHeaders: a stream whose request the plugin never saw passes untouched
      return FilterHeadersStatus.CONTINUE;
    }
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return headersFailValue();
    }
    ctx.onCreate();
    requestStarted = true;
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
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return headersFailValue();
    }
    long code = r & 0xFFFF_FFFFL;
    if ((r >>> 32) != 0 || code > 4 || code == 1) {
      return FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
    }
    return FilterHeadersStatus.fromCode(code).orElseThrow();
  }

  /**
   * Calls a body callback.
   *
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   * @param length the number of bytes buffered
   * @param endOfStream whether this is the last chunk
   * @return the status, converted as cpp-host converts it
   */
  public FilterDataStatus onBody(StreamType direction, int length, boolean endOfStream) {
    boolean response = isResponse(direction);
    if (!requestStarted) {
      return FilterDataStatus.CONTINUE;
    }
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return failOpen() ? FilterDataStatus.CONTINUE : FilterDataStatus.STOP_ITERATION_NO_BUFFER;
    }
    ctx.onCreate();
    long r =
        wasm.calls()
            .callForStatus(
                ctx,
                response ? Callback.ON_RESPONSE_BODY : Callback.ON_REQUEST_BODY,
                id,
                length,
                endOfStream ? 1 : 0);
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return failOpen() ? FilterDataStatus.CONTINUE : FilterDataStatus.STOP_ITERATION_NO_BUFFER;
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
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   * @param trailers the number of trailers
   * @return the status, converted as cpp-host converts it
   */
  public FilterTrailersStatus onTrailers(StreamType direction, int trailers) {
    boolean response = isResponse(direction);
    if (!requestStarted) {
      return FilterTrailersStatus.CONTINUE;
    }
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return failOpen() ? FilterTrailersStatus.CONTINUE : FilterTrailersStatus.STOP_ITERATION;
    }
    ctx.onCreate();
    long r =
        wasm.calls()
            .callForStatus(
                ctx,
                response ? Callback.ON_RESPONSE_TRAILERS : Callback.ON_REQUEST_TRAILERS,
                id,
                trailers);
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return failOpen() ? FilterTrailersStatus.CONTINUE : FilterTrailersStatus.STOP_ITERATION;
    }
    long code = r & 0xFFFF_FFFFL;
    return (r >>> 32) != 0 || code > 1
        ? FilterTrailersStatus.STOP_ITERATION
        : FilterTrailersStatus.fromCode(code).orElseThrow();
  }

  /**
   * Calls a metadata callback; metadata always continues.
   *
   * @param direction {@link StreamType#REQUEST} or {@link StreamType#RESPONSE}
   * @param elements the number of metadata elements
   */
  public void onMetadata(StreamType direction, int elements) {
    boolean response = isResponse(direction);
    if (!requestStarted) {
      return;
    }
    if (checkFailed(StreamType.REQUEST, StreamType.RESPONSE)) {
      return;
    }
    ctx.onCreate();
    wasm.calls()
        .callIn(
            ctx,
            response ? Callback.ON_RESPONSE_METADATA : Callback.ON_REQUEST_METADATA,
            id,
            elements);
    checkFailed(StreamType.REQUEST, StreamType.RESPONSE);
  }

  // ---- TCP ------------------------------------------------------------------------------------

  /** A network callback: {@code proxy_on_new_connection(id)}, or a data callback's three. */
  private FilterStatus network(Callback cb, boolean data, long length, boolean endOfStream) {
    if (checkFailed(StreamType.DOWNSTREAM, StreamType.UPSTREAM)) {
      return failOpen() ? FilterStatus.CONTINUE : FilterStatus.STOP_ITERATION;
    }
    ctx.onCreate();
    long r =
        data
            ? wasm.calls().callIn(ctx, cb, id, length, endOfStream ? 1 : 0)
            : wasm.calls().callIn(ctx, cb, id);
    if (checkFailed(StreamType.DOWNSTREAM, StreamType.UPSTREAM)) {
      return failOpen() ? FilterStatus.CONTINUE : FilterStatus.STOP_ITERATION;
    }
    return r == 0 ? FilterStatus.CONTINUE : FilterStatus.STOP_ITERATION;
  }

  /**
   * Calls {@code proxy_on_new_connection}.
   *
   * @return the status
   */
  public FilterStatus onNewConnection() {
    return network(Callback.ON_NEW_CONNECTION, false, 0, false);
  }

  /**
   * Calls {@code proxy_on_downstream_data} or {@code proxy_on_upstream_data}.
   *
   * @param side {@link StreamType#DOWNSTREAM} or {@link StreamType#UPSTREAM}
   * @param length the bytes buffered
   * @param endOfStream whether the peer closed its side
   * @return the status
   */
  public FilterStatus onData(StreamType side, int length, boolean endOfStream) {
    boolean upstream = isUpstream(side);
    if (!ctx.createdInVm()) {
      return FilterStatus.CONTINUE; // Envoy's onData/onWrite before the connection was seen
    }
    return network(
        upstream ? Callback.ON_UPSTREAM_DATA : Callback.ON_DOWNSTREAM_DATA,
        true,
        length,
        endOfStream);
  }

  /**
   * Calls {@code proxy_on_downstream_connection_close} or {@code
   * proxy_on_upstream_connection_close}.
   *
   * @param side {@link StreamType#DOWNSTREAM} or {@link StreamType#UPSTREAM}
   * @param peer who closed it
   */
  public void onConnectionClose(StreamType side, PeerType peer) {
    boolean upstream = isUpstream(side);
    // Envoy's Context::onEvent: nothing for a connection the plugin never saw
    if (!wasm.isFailed() && ctx.createdInVm()) {
      wasm.calls()
          .callIn(
              ctx,
              upstream
                  ? Callback.ON_UPSTREAM_CONNECTION_CLOSE
                  : Callback.ON_DOWNSTREAM_CONNECTION_CLOSE,
              id,
              peer.code());
    }
  }
}

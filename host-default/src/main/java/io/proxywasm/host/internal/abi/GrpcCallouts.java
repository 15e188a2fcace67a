package io.proxywasm.host.internal.abi;

import io.proxywasm.host.GrpcCallHandler;
import io.proxywasm.host.GrpcCallRequest;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.internal.vm.Context;
import io.proxywasm.host.internal.vm.Logging;
import io.proxywasm.host.internal.vm.RootState.Pending;
import io.proxywasm.host.internal.vm.WasmBase;
import io.proxywasm.spi.Callback;
import io.proxywasm.spi.GrpcStatus;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.WasmResult;
import java.time.Duration;
import java.util.List;

/**
 * gRPC callouts: open through the embedder's handler, deliver what it reports to the root context
 * on the scheduler under the VM's lock, and close each call exactly once.
 */
final class GrpcCallouts {
  private GrpcCallouts() {}

  static WasmResult open(Context root, GrpcCallRequest request, int[] tokenOut) {
    WasmBase wasm = root.wasm();
    int token = root.rootState().nextGrpcToken(request.streaming());
    GrpcCallHandler.Callbacks callbacks =
        request.streaming() ? new StreamEvents(root, token) : new CallOutcome(root, token);
    GrpcCallHandler.Outbound outbound;
    try {
      outbound = wasm.host().grpcCalls().open(request, callbacks);
    } catch (GrpcCallHandler.Rejected e) {
      return e.result();
    } catch (RuntimeException e) {
      Logging.error(wasm, "gRPC callout handler failed: " + e);
      return WasmResult.INTERNAL_FAILURE;
    }
    root.rootState()
        .pendingGrpc()
        .put(
            token,
            new Pending(
                outbound == null ? new GrpcCallHandler.Outbound() {} : outbound,
                request.streaming()));
    if (!request.streaming() && !request.timeout().isZero()) {
      wasm.delivery()
          .post(
              request.timeout(),
              () -> {
                Pending p = root.rootState().pendingGrpc().remove(token);
                if (p != null) {
                  p.outbound().cancel();
                  root.rootState()
                      .onGrpc(
                          Callback.ON_GRPC_CLOSE,
                          token,
                          null,
                          null,
                          GrpcStatus.DEADLINE_EXCEEDED.code(),
                          "timeout");
                }
              });
    }
    tokenOut[0] = token;
    return WasmResult.OK;
  }

  private static void later(
      Context root,
      int token,
      Callback cb,
      boolean ends,
      List<Header> metadata,
      byte[] message,
      int status,
      String text) {
    root.wasm()
        .delivery()
        .post(
            Duration.ZERO,
            () -> {
              boolean open =
                  ends
                      ? root.rootState().pendingGrpc().remove(token) != null
                      : root.rootState().pendingGrpc().containsKey(token);
              if (open) {
                root.rootState()
                    .onGrpc(
                        cb,
                        token,
                        metadata == null ? null : HeaderMap.of(metadata),
                        message,
                        status,
                        text);
              }
            });
  }

  /**
   * What a stream reports reaches the plugin as it comes: initial metadata, each message, trailing
   * metadata, then the close, which ends the stream (Envoy's {@code GrpcStreamClientHandler}).
   */
  private record StreamEvents(Context root, int token) implements GrpcCallHandler.Callbacks {
    @Override
    public void onInitialMetadata(List<Header> metadata) {
      later(root, token, Callback.ON_GRPC_RECEIVE_INITIAL_METADATA, false, metadata, null, 0, "");
    }

    @Override
    public void onMessage(byte[] message) {
      later(root, token, Callback.ON_GRPC_RECEIVE, false, null, message.clone(), 0, "");
    }

    @Override
    public void onTrailingMetadata(List<Header> metadata) {
      later(root, token, Callback.ON_GRPC_RECEIVE_TRAILING_METADATA, false, metadata, null, 0, "");
    }

    @Override
    public void onClose(int status, String message) {
      later(root, token, Callback.ON_GRPC_CLOSE, true, null, null, status, message);
    }
  }

  /**
   * A unary call reaches the plugin as its outcome only, as Envoy's {@code GrpcCallClientHandler}
   * (a {@code RawAsyncRequestCallbacks}) delivers it: no metadata callbacks; on an OK close, the
   * last message the answer carried as one {@code proxy_on_grpc_receive}, which ends the call with
   * no {@code proxy_on_grpc_close} (an OK close without a message is a failure with INTERNAL and no
   * message, as Envoy's {@code AsyncRequestImpl::onRemoteClose}); any other close as {@code
   * proxy_on_grpc_close} with its status and message. SDKs rely on it: the Rust SDK panics on a
   * metadata callback or a second outcome for a call's token.
   */
  private static final class CallOutcome implements GrpcCallHandler.Callbacks {
    private final Context root;
    private final int token;
    private byte[] last;

    CallOutcome(Context root, int token) {
      this.root = root;
      this.token = token;
    }

    @Override
    public void onInitialMetadata(List<Header> metadata) {}

    @Override
    public synchronized void onMessage(byte[] message) {
      last = message.clone();
    }

    @Override
    public void onTrailingMetadata(List<Header> metadata) {}

    @Override
    public synchronized void onClose(int status, String message) {
      if (status != GrpcStatus.OK.code()) {
        later(root, token, Callback.ON_GRPC_CLOSE, true, null, null, status, message);
      } else if (last == null) {
        later(
            root, token, Callback.ON_GRPC_CLOSE, true, null, null, GrpcStatus.INTERNAL.code(), "");
      } else {
        later(root, token, Callback.ON_GRPC_RECEIVE, true, null, last, 0, "");
        last = null;
      }
    }
  }

  /** Whether a token's kind bits say gRPC call (1) or gRPC stream (2). */
  private static boolean isGrpcToken(int token) {
    int kind = token & 3;
    return kind == 1 || kind == 2;
  }

  /**
   * Sends on a gRPC stream. A token that is not a stream's (a gRPC call's, an HTTP call's) is
   * {@code BadArgument} before any look-up, as in Envoy's {@code Context::grpcSend}.
   */
  static WasmResult send(Context root, int token, byte[] message, boolean endOfStream) {
    if ((token & 3) != 2) {
      return WasmResult.BAD_ARGUMENT;
    }
    Pending p = root.rootState().pendingGrpc().get(token);
    if (p == null) {
      return WasmResult.NOT_FOUND;
    }
    if (!p.streaming()) {
      return WasmResult.BAD_ARGUMENT;
    }
    p.outbound().send(message, endOfStream);
    return WasmResult.OK;
  }

  static WasmResult cancel(Context root, int token) {
    if (!isGrpcToken(token)) {
      return WasmResult.BAD_ARGUMENT;
    }
    Pending p = root.rootState().pendingGrpc().remove(token);
    if (p == null) {
      return WasmResult.NOT_FOUND;
    }
    p.outbound().cancel();
    return WasmResult.OK;
  }

  static WasmResult close(Context root, int token) {
    if (!isGrpcToken(token)) {
      return WasmResult.BAD_ARGUMENT;
    }
    Pending p = root.rootState().pendingGrpc().get(token);
    if (p == null) {
      return WasmResult.NOT_FOUND;
    }
    if (p.streaming()) {
      p.outbound().close();
    } else {
      root.rootState().pendingGrpc().remove(token);
      p.outbound().cancel();
    }
    return WasmResult.OK;
  }
}

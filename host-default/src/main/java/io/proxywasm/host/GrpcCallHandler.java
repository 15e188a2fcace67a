package io.proxywasm.host;

import io.proxywasm.spi.Header;
import io.proxywasm.spi.WasmResult;
import java.util.List;

/**
 * Opens the gRPC callouts plugins make. The host calls the plugin back for what the callbacks
 * report, on the plugin's root context, and ends each accepted call exactly once: from {@link
 * Callbacks#onClose}, or with {@code DEADLINE_EXCEEDED} when a unary call's timeout passes first.
 * Report everything the answer carries for streams and unary calls alike: for a unary call the host
 * passes on only its outcome, as Envoy does (its last message on an OK close, else the close). Must
 * be thread-safe; callbacks may come on any thread.
 */
@FunctionalInterface
public interface GrpcCallHandler {
  /** A handler that knows no service: every call fails with {@link WasmResult#PARSE_FAILURE}. */
  GrpcCallHandler NONE =
      (request, callbacks) -> {
        throw new Rejected(WasmResult.PARSE_FAILURE, "no gRPC upstreams are configured");
      };

  /**
   * Opens a call or stream. For a unary call the request message is in the request.
   *
   * @param request the call
   * @param callbacks where to report the response, once closed no more
   * @return the plugin's side of the call, for sends, close and cancel
   * @throws Rejected to refuse the call with a status for the plugin (Envoy refuses an unknown
   *     upstream with {@link WasmResult#PARSE_FAILURE})
   */
  Outbound open(GrpcCallRequest request, Callbacks callbacks) throws Rejected;

  /** What the plugin does to an open call. */
  interface Outbound {
    /**
     * Sends a message on a stream.
     *
     * @param message the message
     * @param endOfStream whether it is the last one
     */
    default void send(byte[] message, boolean endOfStream) {}

    /** Half-closes a stream (the response may still come); for a unary call, same as cancel. */
    default void close() {}

    /** Abandons the call: nothing more is reported to the plugin. */
    default void cancel() {}
  }

  /** What the upstream answers. */
  interface Callbacks {
    /**
     * The response's initial metadata arrived.
     *
     * @param metadata the metadata
     */
    void onInitialMetadata(List<Header> metadata);

    /**
     * A response message arrived.
     *
     * @param message the message bytes
     */
    void onMessage(byte[] message);

    /**
     * The trailing metadata arrived.
     *
     * @param metadata the metadata
     */
    void onTrailingMetadata(List<Header> metadata);

    /**
     * The call ended.
     *
     * @param status the gRPC status code
     * @param message the status message
     */
    void onClose(int status, String message);
  }

  /** A refused call, with the status the plugin gets. */
  final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    /** The status for the plugin. */
    private final WasmResult result;

    /**
     * Creates the refusal.
     *
     * @param result the status for the plugin; not OK
     * @param message why, for logs
     */
    public Rejected(WasmResult result, String message) {
      super(message);
      this.result = result;
    }

    /**
     * Returns the status for the plugin.
     *
     * @return the status
     */
    public WasmResult result() {
      return result;
    }
  }
}

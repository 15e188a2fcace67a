package io.proxywasm.host;

import io.proxywasm.host.internal.vm.Context;
import io.proxywasm.host.internal.vm.StreamRole;
import io.proxywasm.host.internal.vm.WasmBase;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.StreamType;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What HTTP and TCP streams share: the plugin context they are bound to, serialised entry into its
 * VM, the fail policy when the plugin cannot run on the worker, and the end of the stream.
 *
 * <p>A stream opens without entering the VM: its context is made with the VM's next id then (the
 * ids follow the order streams open in, as Envoy numbers a filter's context when the stream opens),
 * and joins the VM's table at the stream's first entry, under the VM's lock that entry takes anyway
 * ({@link WasmBase#enterStream}). So a stream's events take one acquisition of the lock each and
 * opening it takes none, and a stream closed before any event keeps its id and enters nothing.
 */
abstract class StreamBase implements AutoCloseable {
  /** The plugin's context for this stream, or null if the plugin could not run on the worker. */
  final Context ctx;

  /** The embedder-side state host calls see: an {@code HttpState} or a {@code TcpState}. */
  final StreamRole state;

  /** The plugin's configuration: its fail policy, its body limit. */
  final PluginConfig config;

  private final boolean logOnClose;
  private boolean closed;

  StreamBase(Context ctx, StreamRole state, PluginConfig config, boolean logOnClose) {
    this.ctx = ctx;
    this.state = state;
    this.config = config;
    this.logOnClose = logOnClose;
  }

  /**
   * Runs a call into the plugin under its VM's lock. When the plugin could not run on this worker,
   * answers with the fail policy instead: the given open value, or the closed value after failing
   * the stream once.
   */
  final <T> T enter(Supplier<T> call, T whenOpen, T whenClosed, StreamType failedDirection) {
    if (!pluginRuns(failedDirection)) {
      return config.failPolicy() == FailPolicy.FAIL_OPEN ? whenOpen : whenClosed;
    }
    return ctx.wasm().enterStream(ctx, call);
  }

  /**
   * {@link #enter(Supplier, Object, Object, StreamType)} for a call given its inputs as arguments,
   * so that a lambda capturing nothing does it: no allocation per event.
   */
  final <S, A, B, T> T enter(
      WasmBase.Work<S, A, B, T> call,
      S stream,
      A a,
      B b,
      boolean flag,
      T whenOpen,
      T whenClosed,
      StreamType failedDirection) {
    if (!pluginRuns(failedDirection)) {
      return config.failPolicy() == FailPolicy.FAIL_OPEN ? whenOpen : whenClosed;
    }
    return ctx.wasm().enterStream(ctx, call, stream, a, b, flag);
  }

  /** Whether the plugin runs this stream; if not, fails the stream unless the plugin fails open. */
  private boolean pluginRuns(StreamType failedDirection) {
    if (closed) {
      throw new IllegalStateException("stream is closed");
    }
    if (ctx == null || ctx.wasm().isClosed()) {
      if (config.failPolicy() != FailPolicy.FAIL_OPEN) {
        state.failStream(failedDirection);
      }
      return false;
    }
    return true;
  }

  /**
   * Returns why the plugin stopped serving this stream, if it did: its VM failed during a call
   * ({@link PluginFailure.Cause#TRAP}, {@link PluginFailure.Cause#DEADLINE_EXCEEDED}, {@link
   * PluginFailure.Cause#RUNTIME_FAILURE}), or the plugin could not run on this worker ({@link
   * PluginFailure.Cause#UNAVAILABLE}). The stream got the plugin's fail policy.
   *
   * @return the failure, or empty while the plugin serves the stream
   */
  public Optional<PluginFailure> failure() {
    if (ctx == null) {
      return Optional.of(
          new PluginFailure(
              FailState.UNABLE_TO_CLONE_VM,
              PluginFailure.Cause.UNAVAILABLE,
              "the plugin could not run on this worker"));
    }
    if (ctx.wasm().isClosed() && ctx.wasm().failure().isEmpty()) {
      return Optional.of(
          new PluginFailure(
              FailState.OK,
              PluginFailure.Cause.UNAVAILABLE,
              "the plugin's VM was closed (the plugin, its worker or the host was closed)"));
    }
    return ctx.wasm().failure();
  }

  final boolean isClosed() {
    return closed;
  }

  /**
   * Returns the plugin's context id for this stream: taken when the stream opened, in the order
   * streams open in, whether or not an event reached the plugin since.
   *
   * @return the id, or 0 if the plugin could not run on this worker
   */
  public int contextId() {
    return ctx == null ? 0 : ctx.id();
  }

  /**
   * Ends the stream: {@code proxy_on_done}, {@code proxy_on_log} for TCP (an HTTP stream logs when
   * the embedder says so), then {@code proxy_on_delete}, so that the context is released. A stream
   * the plugin never saw (closed before its first callback: a client abort, an earlier filter's
   * rejection) calls nothing, as Envoy's {@code Context::onDestroy} and {@code onCloseTCP} do, and
   * one that no event entered does not enter the VM (its id stays used). Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (ctx != null && ctx.joined()) {
      ctx.wasm().locked(StreamBase::end, this, null, null, false);
    }
    closed = true;
  }

  /** {@link #close()} inside the VM. */
  private static Void end(StreamBase stream, Void unusedA, Void unusedB, boolean unusedFlag) {
    Context ctx = stream.ctx;
    if (ctx.createdInVm()) {
      ctx.onDone();
      if (stream.logOnClose) {
        ctx.onLog();
      }
    }
    ctx.onDelete();
    return null;
  }
}

package io.proxywasm.host.internal.vm;

import io.proxywasm.host.PluginFailure;
import io.proxywasm.spi.FailState;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Why a VM failed: its {@link FailState}, the first message reported and the first cause recorded.
 * Written from the VM's own calls, from the runtime's fail callback and from the watchdog's thread,
 * so it keeps one immutable snapshot that each change replaces atomically; it takes no lock.
 */
final class FailureRecord {
  private record Snapshot(FailState state, String message, PluginFailure.Cause cause) {}

  private final AtomicReference<Snapshot> current =
      new AtomicReference<>(new Snapshot(FailState.OK, "", null));

  /** The runtime marked its VM failed ({@code WasmVm.fail}). */
  void failed(FailState state) {
    current.updateAndGet(s -> new Snapshot(state, s.message(), s.cause()));
  }

  /** Keeps a failure message unless one was kept already. */
  void message(String message) {
    current.updateAndGet(
        s -> s.message().isEmpty() ? new Snapshot(s.state(), message, s.cause()) : s);
  }

  /** Keeps what caused the failure; the first message and the first cause stand. */
  void record(PluginFailure.Cause cause, String message) {
    current.updateAndGet(
        s ->
            new Snapshot(
                s.state(),
                s.message().isEmpty() ? message : s.message(),
                s.cause() == null ? cause : s.cause()));
  }

  boolean isFailed() {
    return current.get().state() != FailState.OK;
  }

  FailState state() {
    return current.get().state();
  }

  String message() {
    return current.get().message();
  }

  /** The tail of a start or configure failure's message: the VM's failure, or the plugin's no. */
  String describe() {
    Snapshot s = current.get();
    return s.state() != FailState.OK ? ": " + s.message() : ": the plugin returned false";
  }

  /** The failure as the embedder sees it, or empty while the VM is healthy. */
  Optional<PluginFailure> failure() {
    Snapshot s = current.get();
    if (s.state() == FailState.OK) {
      return Optional.empty();
    }
    return Optional.of(
        new PluginFailure(
            s.state(),
            s.cause() == null ? PluginFailure.Cause.TRAP : s.cause(),
            s.message().isEmpty() ? "the VM failed" : s.message()));
  }
}

package io.proxywasm.spi.support;

import io.proxywasm.spi.FailState;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The fail state of a {@link WasmVm} as the contract wants it, for runtime authors: it starts
 * {@link FailState#OK}, changes once (the first failure wins), tells the {@link WasmVmIntegration}
 * and then every fail callback, and refuses {@code OK} as a failure. A VM delegates {@link
 * WasmVm#failState()}, {@link WasmVm#fail} and {@link WasmVm#addFailCallback} to one. Thread-safe.
 */
public final class FailStateHolder {
  private final WasmVmIntegration integration;
  private final AtomicReference<FailState> state = new AtomicReference<>(FailState.OK);
  private final List<Consumer<FailState>> callbacks = new CopyOnWriteArrayList<>();

  /**
   * Creates a holder reporting to an integration.
   *
   * @param integration where failures are reported
   */
  public FailStateHolder(WasmVmIntegration integration) {
    this.integration = Objects.requireNonNull(integration, "integration");
  }

  /**
   * Returns the state.
   *
   * @return {@link FailState#OK} until the first failure
   */
  public FailState get() {
    return state.get();
  }

  /**
   * Records a failure, unless one was recorded already.
   *
   * @param failure the fail state, not {@code OK}
   * @param message what happened
   * @throws IllegalArgumentException for {@code OK}
   */
  public void fail(FailState failure, String message) {
    Objects.requireNonNull(failure, "state");
    if (failure == FailState.OK) {
      throw new IllegalArgumentException("a VM cannot fail with OK");
    }
    if (!state.compareAndSet(FailState.OK, failure)) {
      return;
    }
    integration.error(failure, message);
    for (Consumer<FailState> callback : callbacks) {
      callback.accept(failure);
    }
  }

  /**
   * Adds a callback run on the failure.
   *
   * @param callback the callback
   */
  public void addCallback(Consumer<FailState> callback) {
    callbacks.add(Objects.requireNonNull(callback, "callback"));
  }
}

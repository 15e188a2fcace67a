package io.proxywasm.host;

import io.proxywasm.spi.FailState;
import java.util.Objects;

/**
 * Why a plugin's VM stopped serving a stream: the Envoy fail state, what caused it, and the message
 * naming the callback and the reason. A stream whose VM failed gets the plugin's fail policy; ask
 * it {@link HttpStream#failure()} to log or count the cause.
 *
 * @param state the fail state, as Envoy reports it ({@link FailState#RUNTIME_ERROR} for a call that
 *     failed)
 * @param cause what caused it
 * @param message the callback and the reason, for example {@code Function: proxy_on_request_headers
 *     failed: execution deadline of 200 ms exceeded}
 */
public record PluginFailure(FailState state, Cause cause, String message) {

  /** What caused a failure. */
  public enum Cause {
    /**
     * The plugin's code failed: a wasm trap (unreachable, an out-of-bounds access, a stack
     * overflow, a division by zero, ...) or, on the Null VM, an exception from the plugin.
     */
    TRAP,
    /** A call ran past the plugin's call deadline and was stopped. */
    DEADLINE_EXCEEDED,
    /** The runtime itself failed while running the plugin; a bug of the runtime, not the plugin. */
    RUNTIME_FAILURE,
    /**
     * The plugin could not run on this worker at all: its code could not be had, or a VM could not
     * be made for the worker; the stream never reached the plugin.
     */
    UNAVAILABLE
  }

  /**
   * Creates a failure.
   *
   * @param state the fail state
   * @param cause the cause
   * @param message the message
   */
  public PluginFailure {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(message, "message");
  }
}

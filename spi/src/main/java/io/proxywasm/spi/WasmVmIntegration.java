package io.proxywasm.spi;

import java.util.Optional;

/**
 * What a VM needs from its embedder: a log level, sinks for errors and traces, and a way to find
 * named objects such as Java plugins for the Null VM.
 */
public interface WasmVmIntegration {

  /**
   * Returns the level below which the VM need not produce trace or log output.
   *
   * @return the current level; may change over time
   */
  default LogLevel logLevel() {
    return LogLevel.INFO;
  }

  /** The memory limit a VM gets unless its embedder says otherwise: 1 GiB, as in cpp-host. */
  long DEFAULT_MEMORY_LIMIT_BYTES = 1L << 30;

  /**
   * Returns the most linear memory the VM may have. Growing past it fails inside the plugin ({@code
   * memory.grow} returns -1), never in the host; a module whose initial memory is larger fails to
   * link.
   *
   * @return the limit in bytes; {@link #DEFAULT_MEMORY_LIMIT_BYTES} by default
   */
  default long memoryLimitBytes() {
    return DEFAULT_MEMORY_LIMIT_BYTES;
  }

  /**
   * Receives a VM failure. Called once per failure, before fail callbacks.
   *
   * @param state the failure kind
   * @param message what happened
   */
  void error(FailState state, String message);

  /**
   * Receives a trace line of a call crossing the VM boundary, when {@link #logLevel()} is {@link
   * LogLevel#TRACE}.
   *
   * @param message the line
   */
  default void trace(String message) {}

  /**
   * Finds a named object the embedder provides, for example a Java plugin factory the Null VM
   * should run. The default finds nothing, so providers fall back to their own discovery.
   *
   * @param type the expected type
   * @param name the name
   * @param <T> the expected type
   * @return the object, or empty
   */
  default <T> Optional<T> lookup(Class<T> type, String name) {
    return Optional.empty();
  }
}

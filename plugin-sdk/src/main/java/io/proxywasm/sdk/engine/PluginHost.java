package io.proxywasm.sdk.engine;

import io.proxywasm.spi.HostAbi;

/**
 * What the engine that runs Java plugins (the Null VM) gives the SDK's contexts: the host ABI for a
 * context, and the bookkeeping of callouts. Not for plugin authors: this package is exported only
 * to the engine.
 */
public interface PluginHost {
  /**
   * Returns the host ABI with a context made the effective one.
   *
   * @param contextId the context
   * @return the host
   */
  HostAbi hostFor(int contextId);

  /**
   * Returns the host ABI for calls that belong to no context (metrics).
   *
   * @return the host
   */
  HostAbi host();

  /**
   * Records which context dispatched a callout, so that its answer reaches that context.
   *
   * @param token the callout's token
   * @param contextId the context
   */
  void calloutFrom(int token, int contextId);
}

package io.proxywasm.testkit;

/** Which VM a log line came from, as a proxy runs them. */
public enum VmKind {
  /**
   * The base VM of a vm_key: it runs the module's start function ({@code _start} or {@code
   * _initialize}) once and is the template every clone is made from; it never serves streams.
   */
  BASE,
  /**
   * The clone the host starts and configures once when a plugin loads, to reject a bad
   * configuration before any worker uses it, then throws away.
   */
  CANARY,
  /** A worker's clone: runs the plugin's root context and serves its streams. */
  WORKER,
  /** A singleton service's VM: runs its root context on ticks, queues and foreign calls. */
  SERVICE,
  /** Not from inside a call into a VM of the kit: the host itself, or an embedder's code. */
  NONE
}

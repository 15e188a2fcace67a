package io.proxywasm.spi;

/** What a {@link WasmVmProvider}'s VMs can do beyond the minimum contract. */
public enum VmCapability {
  /** Loads WebAssembly bytecode (as opposed to the Null VM, which loads Java plugins by name). */
  WASM_BYTECODE,
  /** Runs plugins written in Java, loaded by name. */
  JAVA_PLUGINS,
  /** Honours {@link WasmVm#terminate()}: a running call can be stopped from another thread. */
  TERMINATE,
  /** Enforces a limit on linear memory growth. */
  MEMORY_LIMIT,
  /** Translates wasm to JVM bytecode ahead of running it. */
  COMPILED
}

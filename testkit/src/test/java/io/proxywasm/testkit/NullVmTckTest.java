package io.proxywasm.testkit;

import io.proxywasm.nullvm.NullVmProvider;
import io.proxywasm.spi.WasmVmProvider;

/**
 * The runtime TCK on the Null VM. The wasm cases are skipped by capability (it runs Java plugins,
 * not wasm bytecode), as are termination (Java code cannot be stopped from outside) and the memory
 * limit (it has no linear memory); the Java plugin cases run.
 */
class NullVmTckTest extends RuntimeTck {
  @Override
  protected WasmVmProvider provider() {
    return new NullVmProvider();
  }
}

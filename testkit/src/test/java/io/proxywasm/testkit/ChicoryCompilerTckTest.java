package io.proxywasm.testkit;

import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmVmProvider;

/** The runtime TCK on {@code chicory-compiler}. */
class ChicoryCompilerTckTest extends RuntimeTck {
  @Override
  protected WasmVmProvider provider() {
    return Runtimes.discover().get("chicory-compiler");
  }
}

package io.proxywasm.testkit;

import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmVmProvider;

/** The runtime TCK on {@code asm}, the translator of runtime-asm. */
class AsmTckTest extends RuntimeTck {
  @Override
  protected WasmVmProvider provider() {
    return Runtimes.discover().get("asm");
  }
}

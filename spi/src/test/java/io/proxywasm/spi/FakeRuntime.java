package io.proxywasm.spi;

/** A provider for registry tests: it has a name and priority and creates nothing. */
record FakeRuntime(String name, int priority) implements WasmVmProvider {
  @Override
  public WasmVm create(WasmVmIntegration integration) {
    throw new UnsupportedOperationException("FakeRuntime creates no VMs");
  }
}

package io.proxywasm.benchmarks;

import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.WasmVmProvider;

/** VMs used without the host, to measure a runtime's own costs. */
final class StandaloneVms {
  private StandaloneVms() {}

  /** An integration that turns any VM failure into an exception: a benchmark must not fail. */
  static final WasmVmIntegration QUIET =
      new WasmVmIntegration() {
        @Override
        public void error(FailState state, String message) {
          throw new IllegalStateException(message);
        }
      };

  /** Every import answers zeros: the runtime's own cost, not the host's. */
  static void stubImports(WasmVm vm) {
    for (FunctionImport i : vm.functionImports()) {
      long[] zeros = new long[i.type().results().size()];
      vm.registerHostFunction(new HostFunction(i.module(), i.name(), i.type(), args -> zeros));
    }
  }

  /** Makes a base VM of a module with stubbed imports, links it and closes it. */
  static long base(WasmVmProvider provider, byte[] module) {
    try (WasmVm vm = provider.create(QUIET)) {
      vm.load(module);
      stubImports(vm);
      vm.link("base");
      return vm.memory().orElseThrow().size();
    }
  }
}

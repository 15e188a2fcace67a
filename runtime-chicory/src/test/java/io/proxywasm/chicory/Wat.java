package io.proxywasm.chicory;

import com.dylibso.chicory.wabt.Wat2Wasm;
import io.proxywasm.spi.WasmVm;

/** Test modules written in the WebAssembly text format. */
final class Wat {
  private Wat() {}

  /** Compiles a module from text. */
  static byte[] wasm(String wat) {
    return Wat2Wasm.parse(wat);
  }

  /** Creates a VM, loads the module and returns it unlinked. */
  static ChicoryVm loaded(RecordingIntegration integration, String wat) {
    ChicoryVm vm = new ChicoryVm(integration);
    vm.load(wasm(wat));
    return vm;
  }

  /** Creates a VM, loads the module and links it without host functions. */
  static WasmVm linked(RecordingIntegration integration, String wat) {
    ChicoryVm vm = loaded(integration, wat);
    vm.link("test");
    return vm;
  }
}

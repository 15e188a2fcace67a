package io.proxywasm.host.internal.vm;

import io.proxywasm.spi.Cloneability;
import io.proxywasm.spi.Metric;
import io.proxywasm.spi.MetricType;
import io.proxywasm.spi.PluginInfo;
import io.proxywasm.spi.WasmEvent;
import io.proxywasm.spi.WasmVm;

/**
 * What one VM reports to the extension: {@link WasmEvent#VM_CREATED} and {@link
 * WasmEvent#VM_SHUT_DOWN}, and its share of the runtime's {@code wasm.<runtime>.memory_size} gauge
 * (the sum of the linear memory of every live VM of the runtime). Used under the VM's lock.
 */
final class VmEvents {
  private final HostServices host;
  private final PluginInfo owner;
  private final VmSpec spec;
  private final WasmVm vm;
  private final Metric memoryGauge;

  /** What this VM added to the gauge. */
  private long reportedMemory;

  VmEvents(HostServices host, PluginInfo owner, VmSpec spec, WasmVm vm) {
    this.host = host;
    this.owner = owner;
    this.spec = spec;
    this.vm = vm;
    this.memoryGauge =
        host.extension()
            .hostMetric(MetricType.GAUGE, "wasm." + spec.provider().name() + ".memory_size");
  }

  /** The VM was created (a base VM) or cloned from one. */
  void created(Cloneability from) {
    reportMemory();
    host.extension()
        .onEvent(
            WasmEvent.VM_CREATED,
            owner,
            (from == Cloneability.NOT_CLONEABLE ? "VM " : "clone ") + spec.vmKey());
  }

  /**
   * Brings the gauge up to date with this VM's size; called when the VM is created and after each
   * outermost call, which is when memory can have grown.
   */
  void reportMemory() {
    long size = GuestMemory.sizeOf(vm);
    if (size != reportedMemory) {
      memoryGauge.add(size - reportedMemory);
      reportedMemory = size;
    }
  }

  /** Takes this VM's memory out of the gauge; the VM is closing. */
  void releaseMemory() {
    memoryGauge.add(-reportedMemory);
    reportedMemory = 0;
  }

  /** The VM was closed. */
  void shutDown() {
    host.extension().onEvent(WasmEvent.VM_SHUT_DOWN, owner, spec.vmKey());
  }
}

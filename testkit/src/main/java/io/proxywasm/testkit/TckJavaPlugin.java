package io.proxywasm.testkit;

import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;

/**
 * The runtime TCK's Java plugin, for runtimes that run Java plugins. Its root context makes no host
 * call: {@code proxy_on_configure(root, n)} answers true when {@code n} equals the number of
 * earlier configure calls on that root (state per VM), and {@code proxy_on_vm_start(root, 99)}
 * throws, as a trap.
 */
final class TckJavaPlugin implements JavaPlugin {
  static final String NAME = "io.proxywasm.testkit.tck";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public RootContext newRootContext() {
    return new RootContext() {
      private int configured;

      @Override
      public boolean onVmStart(int vmConfigurationSize) {
        if (vmConfigurationSize == 99) {
          throw new IllegalStateException("TCK trap");
        }
        return true;
      }

      @Override
      public boolean onConfigure(int pluginConfigurationSize) {
        return pluginConfigurationSize == configured++;
      }
    };
  }
}

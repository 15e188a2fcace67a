package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Callback;
import io.proxywasm.spi.Cloneability;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionExport;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostAbi;
import io.proxywasm.spi.HostCall;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.VmCapability;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.WasmVmProvider;
import io.proxywasm.testkit.RecordingLogSink;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Capability restriction of a Java-plugin runtime: every host function the typed ABI offers is
 * refused by its own catalogue name, as the import table refuses it to a wasm module.
 */
class CapabilityGuardsTest {
  private static final String PREFIX = "Attempted call to restricted proxy-wasm capability: ";

  /** Host calls whose typed answer has no status to refuse with. */
  private static final Set<HostCall> UNGUARDED =
      Set.of(HostCall.GET_LOG_LEVEL, HostCall.GET_STATUS, HostCall.GET_CURRENT_TIME);

  @Test
  void everyTypedHostCallIsRefusedByItsCatalogueName() throws Exception {
    RecordingLogSink log = new RecordingLogSink();
    Map<String, List<String>> refusals = new TreeMap<>();
    ProxyWasmHost host =
        TestSupport.host(log, new ManualScheduler())
            .runtimes(Runtimes.of(new SweepingProvider(log, refusals)))
            .build();
    try (host;
        Plugin plugin =
            host.load(
                PluginConfig.builder("guards")
                    .runtime(SweepingProvider.NAME)
                    .code("java:guards".getBytes(StandardCharsets.UTF_8))
                    .allowedCapabilities(
                        Set.of(
                            Callback.ON_CONTEXT_CREATE.exportName(),
                            Callback.ON_VM_START.exportName()))
                    .build())) {
      assertEquals(AbiVersion.V0_2_1, plugin.abiVersion());
      assertEquals(HostAbi.class.getMethods().length, refusals.size(), refusals.toString());
      Set<String> refused = new TreeSet<>();
      refusals.forEach(
          (method, names) -> {
            assertTrue(names.size() <= 1, method + " refused as " + names);
            refused.addAll(names);
          });
      Set<String> expected = new TreeSet<>();
      for (HostCall call : HostCall.of(AbiVersion.V0_2_1)) {
        if (call.restrictable() && !UNGUARDED.contains(call)) {
          expected.add(call.abiName());
        }
      }
      assertEquals(expected, refused);
      assertEquals(expected.size(), refusals.values().stream().filter(l -> !l.isEmpty()).count());
    }
  }

  /** A neutral argument of each type the typed ABI takes. */
  private static Object neutral(Class<?> type) {
    if (type == int.class) {
      return 0;
    }
    if (type == long.class) {
      return 0L;
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == String.class) {
      return "";
    }
    if (type == byte[].class) {
      return new byte[0];
    }
    if (type == List.class) {
      return List.of();
    }
    if (type == Duration.class) {
      return Duration.ZERO;
    }
    if (type.isEnum()) {
      return type.getEnumConstants()[0];
    }
    throw new IllegalArgumentException("no neutral value of " + type);
  }

  /** A Java-plugin runtime whose plugin calls every typed host function once when it starts. */
  private static final class SweepingProvider implements WasmVmProvider {
    static final String NAME = "sweeping";
    private final RecordingLogSink log;
    private final Map<String, List<String>> refusals;

    SweepingProvider(RecordingLogSink log, Map<String, List<String>> refusals) {
      this.log = log;
      this.refusals = refusals;
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Set<VmCapability> capabilities() {
      return Set.of(VmCapability.JAVA_PLUGINS);
    }

    @Override
    public WasmVm create(WasmVmIntegration integration) {
      return new SweepingVm();
    }

    private void sweep(HostAbi abi) {
      for (Method m : HostAbi.class.getMethods()) {
        Object[] args = new Object[m.getParameterCount()];
        for (int i = 0; i < args.length; i++) {
          args[i] = neutral(m.getParameterTypes()[i]);
        }
        log.clear();
        try {
          m.invoke(abi, args);
        } catch (IllegalAccessException | InvocationTargetException e) {
          throw new AssertionError(m.getName() + " failed", e);
        }
        List<String> names = new ArrayList<>();
        for (String message : log.messages()) {
          if (message.startsWith(PREFIX)) {
            names.add(message.substring(PREFIX.length()));
          }
        }
        refusals.put(m.getName() + m.getParameterCount(), names);
      }
    }

    private final class SweepingVm implements WasmVm {
      private HostAbi abi;
      private FailState state = FailState.OK;

      @Override
      public String runtimeName() {
        return NAME;
      }

      @Override
      public Cloneability cloneability() {
        return Cloneability.NOT_CLONEABLE;
      }

      @Override
      public void load(byte[] code) {}

      @Override
      public Optional<AbiVersion> abiVersion() {
        return Optional.of(AbiVersion.V0_2_1);
      }

      @Override
      public List<FunctionImport> functionImports() {
        return List.of();
      }

      @Override
      public List<FunctionExport> functionExports() {
        return List.of(Callback.ON_VM_START.asExport());
      }

      @Override
      public void registerHostFunction(HostFunction function) {}

      @Override
      public void registerHostAbi(HostAbi abi) {
        this.abi = abi;
      }

      @Override
      public void link(String debugName) {}

      @Override
      public Optional<WasmFunction> function(String name, FunctionType type) {
        if (!name.equals(Callback.ON_VM_START.exportName()) || refusals.size() > 0) {
          return Optional.empty();
        }
        return Optional.of(
            args -> {
              if (refusals.isEmpty()) {
                sweep(abi);
              }
              return new long[] {1};
            });
      }

      @Override
      public WasmVm cloneVm() {
        throw new UnsupportedOperationException("not cloneable");
      }

      @Override
      public FailState failState() {
        return state;
      }

      @Override
      public void fail(FailState state, String message) {
        this.state = state;
      }

      @Override
      public void addFailCallback(Consumer<FailState> callback) {}

      @Override
      public void close() {}
    }
  }
}

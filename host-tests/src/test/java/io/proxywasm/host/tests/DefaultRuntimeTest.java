package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.VmCapability;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.WasmVmProvider;
import io.proxywasm.testkit.RecordingExtension;
import io.proxywasm.testkit.RecordingLogSink;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The default runtime where all are installed: {@code asm}, and the next runtime for a module it
 * refuses as unsupported, when the plugin names no runtime.
 */
class DefaultRuntimeTest {
  private static final byte[] REFERENCE_TYPES = TestSupport.wat("reference-types.wat");

  private static ProxyWasmHost.Builder host() {
    return TestSupport.host(new RecordingLogSink(), new ManualScheduler());
  }

  private static PluginConfig plugin(String name, byte[] code) {
    return PluginConfig.builder(name).code(code).build();
  }

  @Test
  void asmComesFirstThenTheOtherWasmRuntimesByPriority() {
    List<String> names =
        Runtimes.discover().candidatesFor(REFERENCE_TYPES).stream()
            .map(WasmVmProvider::name)
            .toList();
    assertEquals(List.of("asm", "chicory-compiler", "chicory"), names);
  }

  @Test
  void aModuleAsmRunsLoadsOnAsm() throws Exception {
    try (ProxyWasmHost host = host().build();
        Plugin plugin = host.load(plugin("c", TestSupport.corpus("wasm/c-http-headers.wasm")))) {
      assertEquals("asm", plugin.info().runtime());
    }
  }

  @Test
  void aModuleAsmRefusesRunsOnTheNextRuntimeWithoutAFailureEvent() throws Exception {
    RecordingExtension events = new RecordingExtension();
    try (ProxyWasmHost host = host().extension(events).build();
        Plugin plugin = host.load(plugin("refs", REFERENCE_TYPES));
        Worker worker = host.newWorker()) {
      assertEquals("chicory-compiler", plugin.info().runtime());
      HttpStream stream = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
      assertEquals(
          FilterHeadersStatus.CONTINUE,
          stream.onRequestHeaders(new HeaderMap(), true),
          () -> "the module ran: table.get gave a null reference; " + stream.failure());
      assertEquals(Optional.empty(), stream.failure());
      stream.close();
    }
    assertEquals(
        List.of(),
        events.events().stream().filter(e -> e.plugin().runtime().equals("asm")).toList(),
        "asm's refusal is no event of the plugin's");
  }

  @Test
  void aNamedRuntimeIsTheOnlyOneTried() {
    try (ProxyWasmHost host = host().build()) {
      PluginLoadException e =
          assertThrows(
              PluginLoadException.class,
              () ->
                  host.load(
                      PluginConfig.builder("refs").runtime("asm").code(REFERENCE_TYPES).build()));
      assertTrue(e.getMessage().contains("the asm runtime does not support"), () -> e.getMessage());
    }
  }

  @Test
  void aRefusalIsRememberedForLaterLoadsOfTheSameModule() throws Exception {
    Runtimes found = Runtimes.discover();
    Counting asm = new Counting(found.get("asm"));
    try (ProxyWasmHost host =
        host().runtimes(Runtimes.of(asm, found.get("chicory-compiler"))).build()) {
      try (Plugin first = host.load(plugin("first", REFERENCE_TYPES))) {
        assertEquals("chicory-compiler", first.info().runtime());
      }
      try (Plugin second = host.load(plugin("second", REFERENCE_TYPES))) {
        assertEquals("chicory-compiler", second.info().runtime());
      }
      assertEquals(1, asm.created.get(), "asm was asked once");
      try (Plugin other = host.load(plugin("c", TestSupport.corpus("wasm/c-hello-world.wasm")))) {
        assertEquals("asm", other.info().runtime(), "only that module is remembered");
      }
    }
  }

  @Test
  void whenEveryRuntimeRefusesTheLastOnesErrorIsReported() {
    Runtimes found = Runtimes.discover();
    try (ProxyWasmHost host = host().runtimes(Runtimes.of(found.get("asm"))).build()) {
      PluginLoadException e =
          assertThrows(PluginLoadException.class, () -> host.load(plugin("refs", REFERENCE_TYPES)));
      assertTrue(e.getMessage().contains("the asm runtime does not support"), () -> e.getMessage());
    }
  }

  /** A runtime that counts the VMs it creates. */
  private static final class Counting implements WasmVmProvider {
    private final WasmVmProvider runtime;
    final AtomicInteger created = new AtomicInteger();

    Counting(WasmVmProvider runtime) {
      this.runtime = runtime;
    }

    @Override
    public String name() {
      return runtime.name();
    }

    @Override
    public Set<VmCapability> capabilities() {
      return runtime.capabilities();
    }

    @Override
    public int priority() {
      return runtime.priority();
    }

    @Override
    public WasmVm create(WasmVmIntegration integration) {
      created.incrementAndGet();
      return runtime.create(integration);
    }
  }
}

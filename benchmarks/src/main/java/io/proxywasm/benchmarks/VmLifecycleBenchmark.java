package io.proxywasm.benchmarks;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.PluginLoadException;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmProvider;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a VM costs to make, on each runtime: a base VM whose module is compiled ({@code
 * baseCompiled}, a module hash this process has not seen), a base VM of a module already compiled
 * ({@code baseShared}, another vm_key of the same code), a clone of a base ({@code cloneOfBase}:
 * the instance a worker gets, with its own memory), and a worker's clone through the host, started
 * ({@code workerClone}: clone, link, root context, {@code proxy_on_vm_start} and {@code
 * proxy_on_configure}, ready for streams). With {@code -prof gc}, the bytes allocated per clone are
 * the heap memory a clone costs besides its linear memory (printed at setup).
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class VmLifecycleBenchmark extends BenchmarkDefaults {
  /** The runtime. */
  @Param({"chicory", "chicory-compiler"})
  public String runtime;

  /** The corpus plugin, under plugins/wasm. */
  @Param({"c-http-headers.wasm"})
  public String plugin;

  private WasmVmProvider provider;
  private byte[] code;
  private WasmVm base;
  private long salt;
  private ProxyWasmHost host;
  private Plugin loaded;

  /** Creates the benchmark state; JMH calls it. */
  public VmLifecycleBenchmark() {}

  /**
   * Loads the plugin.
   *
   * @throws IOException if the plugin cannot be read
   * @throws PluginLoadException if it cannot be loaded
   */
  @Setup
  public void setUp() throws IOException, PluginLoadException {
    code = corpus(plugin);
    provider = Runtimes.discover().get(runtime);
    base = provider.create(StandaloneVms.QUIET);
    base.load(code);
    StandaloneVms.stubImports(base);
    base.link("base");
    host = ProxyWasmHost.builder().build();
    loaded = host.load(PluginConfig.builder("bench").runtime(runtime).code(code).build());
    try (Worker worker = host.newWorker()) {
      HttpStream s = worker.handle(loaded).newHttpStream(HttpStreamListener.IGNORE);
      s.onRequestHeaders(HeaderMap.of(":path", "/"), true);
      s.close();
      System.out.printf(
          "%n[%s on %s: linear memory per clone %,d bytes]%n",
          plugin, runtime, worker.handle(loaded).memorySize().orElse(-1L));
    }
  }

  /** Closes everything. */
  @TearDown
  public void tearDown() {
    loaded.close();
    host.close();
    base.close();
  }

  /**
   * A base VM of a module this process has not compiled: parse, compile, link.
   *
   * @return the VM's memory size
   */
  @Benchmark
  public long baseCompiled() {
    return StandaloneVms.base(provider, GeneratedModules.withSalt(code, salt++));
  }

  /**
   * A base VM of a module already compiled in this process: its parsed module and classes reused.
   *
   * @return the VM's memory size
   */
  @Benchmark
  public long baseShared() {
    return StandaloneVms.base(provider, code);
  }

  /**
   * A clone of the base VM, linked: a fresh instance with its own memory.
   *
   * @return the clone's memory size
   */
  @Benchmark
  public long cloneOfBase() {
    try (WasmVm vm = base.cloneVm()) {
      StandaloneVms.stubImports(vm);
      vm.link("clone");
      return vm.memory().orElseThrow().size();
    }
  }

  /**
   * A worker's clone through the host, started and ready for streams.
   *
   * @return the clone's memory size
   */
  @Benchmark
  public long workerClone() {
    try (Worker worker = host.newWorker()) {
      return worker.handle(loaded).memorySize().orElseThrow();
    }
  }
}

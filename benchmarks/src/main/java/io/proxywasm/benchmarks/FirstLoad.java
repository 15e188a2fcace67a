package io.proxywasm.benchmarks;

import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmProvider;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the first load of a module costs in a fresh JVM, the case a proxy meets at start: the
 * runtime's whole work (parse, validate, split huge functions, compile, link) on a module it has
 * never seen, with the JVM's default flags. Run it once per JVM; compare runtimes or builds by
 * running them alternately, since a shared machine's load moves wall-clock time. Prints the wall
 * time, this thread's CPU time, and the CPU time of the whole process (the JIT's threads and the
 * collector's included).
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar io.proxywasm.benchmarks.FirstLoad \
 *     RUNTIME [generated | corpus plugin | path to a .wasm]
 * }</pre>
 *
 * <p>{@code generated} (the default) is {@link HugeFunctionBenchmark}'s module: 3.9 MB, 200
 * functions each over HotSpot's huge-method limit once translated.
 */
public final class FirstLoad {
  private FirstLoad() {}

  /**
   * Loads and links the module once and prints the figures.
   *
   * @param args the runtime's name and the module
   * @throws Exception if the module cannot be read or loaded
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: FirstLoad RUNTIME [generated | corpus plugin | file.wasm]");
      System.exit(2);
    }
    String runtime = args[0];
    String which = args.length > 1 ? args[1] : "generated";
    byte[] module;
    if (which.equals("generated")) {
      module =
          GeneratedModules.bigFunctions(
              HugeFunctionBenchmark.FUNCTIONS,
              HugeFunctionBenchmark.STEPS,
              HugeFunctionBenchmark.PARTS);
    } else if (Files.isRegularFile(Path.of(which))) {
      module = Files.readAllBytes(Path.of(which));
    } else {
      module = BenchmarkDefaults.corpus(which);
    }
    WasmVmProvider provider =
        Runtimes.discover()
            .find(runtime)
            .orElseThrow(() -> new IllegalArgumentException("no runtime named " + runtime));
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long wall = System.nanoTime();
    long cpu = threads.getCurrentThreadCpuTime();
    long process = os.getProcessCpuTime();
    try (WasmVm vm = provider.create(StandaloneVms.QUIET)) {
      vm.load(module);
      StandaloneVms.stubImports(vm);
      vm.link("first");
      wall = System.nanoTime() - wall;
      cpu = threads.getCurrentThreadCpuTime() - cpu;
      process = os.getProcessCpuTime() - process;
    }
    System.out.printf(
        "%s %s (%,d bytes): first load %,d ms wall, %,d ms CPU on this thread, %,d ms CPU in the"
            + " process%n",
        runtime, which, module.length, wall / 1_000_000, cpu / 1_000_000, process / 1_000_000);
  }
}

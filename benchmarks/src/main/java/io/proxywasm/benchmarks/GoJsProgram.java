package io.proxywasm.benchmarks;

import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.LinearMemory;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmVm;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A Go program built for {@code GOOS=js GOARCH=wasm} (plugins/go-js: the code shape of the Go SDK),
 * run on a runtime through the runtime SPI: a base VM holds the loaded (for {@code
 * chicory-compiler}: split and compiled) module, and each {@link #run} makes a fresh instance of it
 * and runs the program to its exit. The {@code go} imports are those of Go's {@code wasm_exec.js} a
 * program that only prints needs, answered as GoJsSplitTest and {@code benchmarks/v8/host.mjs}
 * answer them: a clock that advances 1 µs per read, a fixed wall time and fixed "random" bytes.
 */
final class GoJsProgram implements AutoCloseable {
  private static final FunctionType SP_ONLY = FunctionType.i32(1, 0);
  private static final FunctionType RUN = FunctionType.i32(2, 0);

  /** Where wasm_exec.js puts the arguments: "js\0", then argv and envp. */
  private static final int ARGUMENT = 4096;

  private final WasmVm base;

  /** What the current run printed. */
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();

  private long clock;
  private int exitCode;
  private LinearMemory memory;

  GoJsProgram(String runtime, byte[] code) {
    base = Runtimes.discover().get(runtime).create(StandaloneVms.QUIET);
    base.load(code);
  }

  /**
   * Runs the program once on a fresh instance.
   *
   * @return what it printed
   * @throws IllegalStateException if it did not exit with 0
   */
  String run() {
    output.reset();
    clock = 1_000_000_000L;
    exitCode = -1;
    try (WasmVm vm = base.cloneVm()) {
      for (FunctionImport i : vm.functionImports()) {
        vm.registerHostFunction(new HostFunction(i.module(), i.name(), SP_ONLY, body(i.name())));
      }
      vm.link("go");
      memory = vm.memory().orElseThrow();
      memory.write(ARGUMENT, new byte[] {'j', 's', 0}, 0, 3);
      int argv = ARGUMENT + 8;
      memory.writeLong(argv, ARGUMENT);
      memory.writeLong(argv + 8, 0); // end of argv
      memory.writeLong(argv + 16, 0); // end of envp
      vm.function("run", RUN)
          .orElseThrow(() -> new IllegalStateException("the module exports no run function"))
          .call(1, argv);
    } finally {
      memory = null;
    }
    String printed = output.toString(StandardCharsets.UTF_8);
    if (exitCode != 0) {
      throw new IllegalStateException("the program ended with " + exitCode + ": " + printed);
    }
    return printed;
  }

  /** One import of Go's runtime; each reads its arguments at the stack pointer it gets. */
  private HostFunction.Body body(String name) {
    switch (name) {
      case "runtime.wasmExit":
        return a -> {
          exitCode = memory.readInt((int) a[0] + 8);
          return null;
        };
      case "runtime.wasmWrite":
        return a -> {
          int sp = (int) a[0];
          long p = memory.readLong(sp + 16);
          int n = memory.readInt(sp + 24);
          output.writeBytes(memory.read(p, n));
          return null;
        };
      case "runtime.resetMemoryDataView":
      case "debug":
        return a -> null;
      case "runtime.nanotime1":
        return a -> {
          clock += 1000;
          memory.writeLong((int) a[0] + 8, clock);
          return null;
        };
      case "runtime.walltime":
        return a -> {
          int sp = (int) a[0];
          memory.writeLong(sp + 8, 1_700_000_000L);
          memory.writeInt(sp + 16, 0);
          return null;
        };
      case "runtime.getRandomData":
        return a -> {
          int sp = (int) a[0];
          long p = memory.readLong(sp + 8);
          int n = (int) memory.readLong(sp + 16);
          byte[] bytes = new byte[n];
          for (int k = 0; k < n; k++) {
            bytes[k] = (byte) (k * 31 + 7); // the same on every run
          }
          memory.write(p, bytes, 0, n);
          return null;
        };
      default:
        return a -> {
          throw new IllegalStateException("this host does not provide go." + name);
        };
    }
  }

  @Override
  public void close() {
    base.close();
  }
}

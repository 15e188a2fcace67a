package io.proxywasm.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Go programs compiled for {@code GOOS=js GOARCH=wasm} (plugins/go-js): the code shape of the Go
 * SDK, with functions over HotSpot's JIT limit that keep values on the operand stack across blocks.
 * The host splits them; the split module, compiled, prints what the interpreter prints running the
 * original, through a small host of Go's {@code go} imports (those of Go's wasm_exec.js a program
 * that only prints needs: output, clocks, random data).
 */
class GoJsSplitTest {
  private static final Path CORPUS =
      Path.of(System.getProperty("proxywasm.plugins.dir", "../plugins"), "wasm");

  /** Go's runtime ends the program through this import; the host stops the call there. */
  private static final class Exit extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int code;

    Exit(int code) {
      super("exit " + code, null, false, false);
      this.code = code;
    }
  }

  /** What a run printed and its exit code. */
  private record Run(String output, int exitCode) {}

  /** Runs a Go js/wasm program: {@code run(argc, argv)} with the argument "js" and no env. */
  private static Run run(WasmModule module, Function<Instance, Machine> machine) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    long[] clock = {1_000_000_000L};
    ImportValues.Builder imports = ImportValues.builder();
    FunctionType spOnly = FunctionType.of(List.of(ValType.I32), List.of());
    for (int i = 0; i < module.importSection().importCount(); i++) {
      if (!(module.importSection().getImport(i) instanceof FunctionImport f)) {
        continue;
      }
      String name = f.name();
      imports.addFunction(
          new HostFunction(
              f.module(),
              name,
              spOnly,
              (instance, args) -> {
                Memory mem = instance.memory();
                int sp = (int) args[0];
                switch (name) {
                  case "runtime.wasmExit" -> throw new Exit(mem.readInt(sp + 8));
                  case "runtime.wasmWrite" -> {
                    int p = (int) mem.readLong(sp + 16);
                    int n = mem.readInt(sp + 24);
                    output.writeBytes(mem.readBytes(p, n));
                  }
                  case "runtime.resetMemoryDataView", "debug" -> {}
                  case "runtime.nanotime1" -> mem.writeLong(sp + 8, clock[0] += 1000);
                  case "runtime.walltime" -> {
                    mem.writeLong(sp + 8, 1_700_000_000L);
                    mem.writeI32(sp + 16, 0);
                  }
                  case "runtime.getRandomData" -> {
                    int p = (int) mem.readLong(sp + 8);
                    int n = (int) mem.readLong(sp + 16);
                    for (int k = 0; k < n; k++) {
                      mem.writeByte(p + k, (byte) (k * 31 + 7)); // the same on every run
                    }
                  }
                  default ->
                      throw new UnsupportedOperationException(
                          "the test host does not provide go." + name);
                }
                return null;
              }));
    }
    Instance.Builder builder =
        Instance.builder(module).withImportValues(imports.build()).withStart(false);
    if (machine != null) {
      builder.withMachineFactory(machine);
    }
    Instance instance = builder.build();
    Memory mem = instance.memory();
    int argument = 4096; // where wasm_exec.js puts arguments: "js\0", then argv and envp
    mem.writeCString(argument, "js");
    int argv = argument + 8;
    mem.writeLong(argv, argument);
    mem.writeLong(argv + 8, 0); // end of argv
    mem.writeLong(argv + 16, 0); // end of envp
    int exitCode = -1;
    try {
      instance.export("run").apply(1, argv);
    } catch (Exit e) {
      exitCode = e.code;
    }
    return new Run(output.toString(StandardCharsets.UTF_8), exitCode);
  }

  @ParameterizedTest
  @ValueSource(strings = {"go-js-statemachine.wasm", "go-js-wordfreq.wasm"})
  void splitGoCodeIsValidJitSizedAndPrintsWhatTheOriginalPrints(String program) throws Exception {
    Assumptions.assumeTrue(HugeMethods.jvmSkipsHugeMethods());
    byte[] bytes = Files.readAllBytes(CORPUS.resolve(program));
    WasmModule original = Parser.parse(bytes);
    long splits = CodeSource.SPLITS.get();
    CodeSource.Translation split =
        CodeSource.compiler(true, Optional.empty(), Map.of())
            .translation(CodeSource.sha256(bytes), bytes, original);
    assertEquals(1, CodeSource.SPLITS.get() - splits, "the program had functions to split");
    assertNotSame(original, split.module());
    // Go's unicode.init (55 KB of wasm, a 950-way dispatch chain over nested blocks) is split as a
    // chain: its cases move in groups, entered through a lookup of the table's index.
    List<String> over = split.hugeMethods().stream().map(h -> "func_" + h.function()).toList();
    assertEquals(List.of(), over, "generated methods over HotSpot's limit");

    Run interpreted = run(original, null);
    Run compiled = run(split.module(), split.machineFactory());
    assertEquals(0, interpreted.exitCode(), interpreted.output());
    assertFalse(interpreted.output().isBlank());
    assertTrue(interpreted.output().contains("="), interpreted.output());
    assertEquals(interpreted, compiled);
  }
}

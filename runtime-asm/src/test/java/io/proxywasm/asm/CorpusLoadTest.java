package io.proxywasm.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every module of the corpus ({@code plugins/wasm}) that Chicory's interpreter loads and links, asm
 * loads and links too, with host functions that answer zeros; and what the interpreter refuses, asm
 * refuses. The host tests run the plugins themselves on asm ({@code -Dproxywasm.test.runtime=asm}).
 */
class CorpusLoadTest {
  private static final Path CORPUS =
      Path.of(System.getProperty("proxywasm.plugins.dir", "../plugins"), "wasm");

  private static final WasmVmIntegration QUIET = (state, message) -> {};

  /** Loads and links a module; returns null, or the message of the failure. */
  private static String loadAndLink(String runtime, byte[] wasm) {
    WasmVm vm = Runtimes.discover().get(runtime).create(QUIET);
    try {
      vm.load(wasm);
      for (FunctionImport in : vm.functionImports()) {
        int results = in.type().results().size();
        vm.registerHostFunction(
            new HostFunction(
                in.module(),
                in.name(),
                in.type(),
                args -> results == 0 ? null : new long[results]));
      }
      vm.link("corpus");
      return null;
    } catch (WasmException e) {
      return e.getMessage();
    } finally {
      vm.close();
    }
  }

  @Test
  void loadsWhatTheInterpreterLoads() throws IOException {
    List<Path> modules;
    try (Stream<Path> files = Files.list(CORPUS)) {
      modules = files.filter(p -> p.toString().endsWith(".wasm")).sorted().toList();
    }
    assertFalse(modules.isEmpty(), "no modules in " + CORPUS.toAbsolutePath());
    List<String> wrong = new ArrayList<>();
    int loaded = 0;
    for (Path module : modules) {
      String name = module.getFileName().toString();
      byte[] wasm = Files.readAllBytes(module);
      String oracle = loadAndLink("chicory", wasm);
      String asm = loadAndLink("asm", wasm);
      if ((oracle == null) != (asm == null)) {
        wrong.add(name + ": interpreter " + oracle + ", asm " + asm);
      } else if (asm == null) {
        loaded++;
      }
    }
    assertEquals(List.of(), wrong);
    assertTrue(loaded > 30, "loaded " + loaded);
  }

  /**
   * No wasm function of a corpus module translates to a method HotSpot will not JIT-compile (over
   * 8000 bytes of bytecode): asm splits the functions whose translation is, go-js-wordfreq's over
   * the JVM's 64 KiB limit and cpp-http-headers' three over 8000 bytes among them.
   */
  @Test
  void noGeneratedMethodIsTooBigForTheJit() throws IOException {
    List<Path> modules;
    try (Stream<Path> files = Files.list(CORPUS)) {
      modules = files.filter(p -> p.toString().endsWith(".wasm")).sorted().toList();
    }
    List<String> huge = new ArrayList<>();
    int translated = 0;
    int split = 0;
    for (Path module : modules) {
      byte[] wasm = Files.readAllBytes(module);
      WasmModule parsed;
      try {
        parsed = Parser.parse(wasm);
      } catch (RuntimeException e) {
        continue; // the corpus's invalid modules: loadsWhatTheInterpreterLoads covers them
      }
      Splitting.Translated t;
      try {
        t = Splitting.translate(wasm, parsed, "io/proxywasm/asm/gen/Module", Set.of());
      } catch (Translator.Unsupported e) {
        continue; // what asm does not support, which loadsWhatTheInterpreterLoads covers
      }
      translated++;
      if (t.module() != parsed) {
        split++;
      }
      String name = module.getFileName().toString();
      Splitting.methodSizes(
          t.result().bytes(),
          (method, size) -> {
            if (Translator.functionOf(method) >= 0 && size > Splitting.HUGE_METHOD_LIMIT) {
              huge.add(name + " " + method + " (" + size + " bytes)");
            }
          });
    }
    assertEquals(List.of(), huge);
    assertTrue(translated > 30, "translated " + translated);
    assertTrue(split >= 2, "split " + split + " modules (go-js-wordfreq and cpp-http-headers)");
  }
}

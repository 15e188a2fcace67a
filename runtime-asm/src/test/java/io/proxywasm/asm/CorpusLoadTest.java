package io.proxywasm.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Map;
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

  /** Modules asm does not load yet, with the reason. */
  private static final Map<String, String> NOT_YET =
      Map.of(
          "go-js-wordfreq.wasm",
          "a function translates to a method over the JVM's 64 KiB limit, and asm does not split"
              + " huge functions yet");

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
      if (NOT_YET.containsKey(name)) {
        assertTrue(
            asm != null && asm.contains("64 KiB"),
            name + " is listed as not loading (" + NOT_YET.get(name) + ") but gives: " + asm);
        continue;
      }
      if ((oracle == null) != (asm == null)) {
        wrong.add(name + ": interpreter " + oracle + ", asm " + asm);
      } else if (asm == null) {
        loaded++;
      }
    }
    assertEquals(List.of(), wrong);
    assertTrue(loaded > 30, "loaded " + loaded);
  }
}

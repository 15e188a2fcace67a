package io.proxywasm.cli;

import io.proxywasm.cli.ProxyWasmCommand.Env;
import io.proxywasm.host.HostImports;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.FunctionExport;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.Runtimes;
import io.proxywasm.spi.UnsupportedModuleException;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.WasmVmProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code proxy-wasm inspect FILE}: the module's ABI version, imports and exports, and whether this
 * host can load it (exit 0) or not (exit 2, with the reasons).
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Checks whether this host can load a module.",
      "Prints a module's proxy-wasm ABI version, imports and exports, and whether this host can"
          + " load it.",
      "Exit status: 0 loadable, 2 not (the reasons are printed) or bad usage."
    })
final class InspectCommand implements Callable<Integer> {
  private final Env env;

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "The module: a .wasm file (or java:NAME for a Java plugin).")
  String file;

  @Mixin RuntimeOptions options;

  InspectCommand(Env env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    byte[] code =
        file.startsWith(Runtimes.JAVA_PLUGIN_PREFIX)
            ? file.getBytes(StandardCharsets.UTF_8)
            : ProxyWasmCommand.readFile("", file);
    List<WasmVmProvider> runtimes = ProxyWasmCommand.runtimes(env, options.runtime, code);
    List<String> problems = new ArrayList<>();
    Optional<AbiVersion> abi = Optional.empty();
    List<FunctionImport> imports = List.of();
    List<FunctionExport> exports = List.of();
    WasmVmIntegration quiet = (state, message) -> {};
    for (int i = 0; i < runtimes.size(); i++) {
      try (WasmVm vm = runtimes.get(i).create(quiet)) {
        vm.load(code);
        abi = vm.abiVersion();
        imports = vm.functionImports();
        exports = vm.functionExports();
        break;
      } catch (UnsupportedModuleException e) {
        if (i == runtimes.size() - 1) {
          problems.add(e.getMessage()); // else the next runtime may run it, as a host would
        }
      } catch (WasmException e) {
        problems.add(e.getMessage());
        break;
      }
    }
    if (problems.isEmpty() && abi.isEmpty()) {
      problems.add("Missing or unknown Proxy-Wasm ABI version");
    }
    if (abi.isPresent()) {
      problems.addAll(importProblems(abi.get(), imports));
      problems.addAll(exportProblems(abi.get(), exports));
    }
    List<Reports.Import> importList = new ArrayList<>();
    imports.forEach(
        i -> importList.add(new Reports.Import(i.module(), i.name(), i.type().toString())));
    List<Reports.Export> exportList = new ArrayList<>();
    exports.forEach(e -> exportList.add(new Reports.Export(e.name(), e.type().toString())));
    Reports.Inspect report =
        new Reports.Inspect(
            file,
            abi.map(AbiVersion::toString).orElse(null),
            importList,
            exportList,
            problems.isEmpty(),
            problems);
    if (options.json) {
      env.out().println(Reports.json(report));
    } else {
      env.out().println(file + ": ABI " + abi.map(AbiVersion::toString).orElse("unknown"));
      imports.forEach(i -> env.out().println("  import " + i.qualifiedName() + " " + i.type()));
      exports.forEach(e -> env.out().println("  export " + e.name() + " " + e.type()));
      env.out().println(problems.isEmpty() ? "loadable" : "not loadable:");
      problems.forEach(p -> env.out().println("  " + p));
    }
    return problems.isEmpty() ? 0 : 2;
  }

  private static List<String> importProblems(AbiVersion abi, List<FunctionImport> imports) {
    List<String> problems = new ArrayList<>();
    Map<String, FunctionImport> offered = new LinkedHashMap<>();
    HostImports.offered(abi).forEach(f -> offered.put(f.qualifiedName(), f));
    for (FunctionImport imp : imports) {
      FunctionImport host = offered.get(imp.qualifiedName());
      if (host == null) {
        problems.add("missing import: " + imp.qualifiedName());
      } else if (!host.type().equals(imp.type())) {
        problems.add(
            "import type mismatch: "
                + imp.qualifiedName()
                + ", want: "
                + imp.type()
                + ", but host exports: "
                + host.type());
      }
    }
    return problems;
  }

  private static List<String> exportProblems(AbiVersion abi, List<FunctionExport> exports) {
    List<String> problems = new ArrayList<>();
    Map<String, List<FunctionType>> wanted = new LinkedHashMap<>();
    HostImports.expected(abi)
        .forEach(e -> wanted.computeIfAbsent(e.name(), n -> new ArrayList<>()).add(e.type()));
    for (FunctionExport exp : exports) {
      List<FunctionType> types = wanted.get(exp.name());
      if (types != null && !types.contains(exp.type())) {
        problems.add(
            "Bad function signature for: "
                + exp.name()
                + ", want: "
                + types.get(0)
                + ", but the module exports: "
                + exp.type());
      }
    }
    return problems;
  }
}

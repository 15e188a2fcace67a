package io.proxywasm.host;

import io.proxywasm.host.internal.abi.Imports;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.FunctionImport;
import java.util.List;

/**
 * What this host offers modules to import and expects them to export, per ABI version: for tools
 * that check a module without running it.
 */
public final class HostImports {
  private HostImports() {}

  /**
   * Returns every function a module of the given ABI version may import, with its signature: the
   * {@code env.proxy_*} functions of that version, the Emscripten helpers, and WASI preview1 under
   * {@code wasi_snapshot_preview1} and {@code wasi_unstable}.
   *
   * @param abi the version
   * @return the imports offered
   */
  public static List<FunctionImport> offered(AbiVersion abi) {
    return Imports.offered(abi);
  }

  /**
   * Returns the exports this host calls in a module of the given ABI version, with the signatures
   * it requires: an export of one of these names with another signature fails the load.
   *
   * @param abi the version
   * @return the expected exports
   */
  public static List<io.proxywasm.spi.FunctionExport> expected(AbiVersion abi) {
    return Imports.expected(abi);
  }
}

package io.proxywasm.host.internal.abi;

import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Callback;
import io.proxywasm.spi.FunctionImport;
import java.util.List;

/** Gives the API package the tables of imports offered and exports expected per ABI version. */
public final class Imports {
  private Imports() {}

  /**
   * Returns the imports offered to a module of an ABI version.
   *
   * @param abi the version
   * @return the imports
   */
  public static List<FunctionImport> offered(AbiVersion abi) {
    return HostCalls.offered(abi);
  }

  /**
   * Returns the exports the host calls in a module of an ABI version, with the signatures it
   * requires.
   *
   * @param abi the version
   * @return the callbacks, start functions and allocators
   */
  public static List<io.proxywasm.spi.FunctionExport> expected(AbiVersion abi) {
    List<io.proxywasm.spi.FunctionExport> out = new java.util.ArrayList<>();
    for (Callback cb : Callback.of(abi)) {
      out.add(cb.asExport());
    }
    return out;
  }
}

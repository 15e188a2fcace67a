package io.proxywasm.host.internal.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Callback;
import io.proxywasm.spi.FunctionExport;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.HostCall;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The host's import table and the exports it fetches are the ABI catalogue, nothing more. */
class CatalogueCoverageTest {

  @Test
  void everyHostCallHasOneBody() {
    assertEquals(EnumSet.allOf(HostCall.class), HostCalls.implemented());
  }

  @Test
  void theEnvImportsOfEachVersionAreTheCatalogues() {
    for (AbiVersion v : AbiVersion.values()) {
      List<FunctionImport> env =
          Imports.offered(v).stream().filter(i -> i.module().equals(HostCall.MODULE)).toList();
      assertEquals(HostCall.of(v).stream().map(HostCall::asImport).toList(), env, v.toString());
    }
  }

  @Test
  void theExportsFetchedInEachVersionAreTheCatalogues() {
    for (AbiVersion v : AbiVersion.values()) {
      List<FunctionExport> expected = Callback.of(v).stream().map(Callback::asExport).toList();
      assertEquals(expected, Imports.expected(v), v.toString());
    }
  }
}

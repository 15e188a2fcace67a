package io.proxywasm.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.benchmarks.precompiled.HttpHeadersModule;
import io.proxywasm.chicory.ChicoryCompilerProvider;
import io.proxywasm.chicory.ChicoryInterpreterProvider;
import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.LocalResponse;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.spi.FilterHeadersStatus;
import io.proxywasm.spi.Runtimes;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A module compiled at build time by Chicory's Maven plugin (see this module's pom) runs in the
 * host through {@link ChicoryCompilerProvider.Builder#precompiled}: every VM, base and clones, is
 * made by the generated classes, and the plugin behaves as compiled at run time.
 */
class PrecompiledModuleTest {

  @Test
  void theGeneratedClassesRunThePluginInTheHost() throws Exception {
    byte[] code = PrecompiledBenchmark.httpHeaders();
    AtomicInteger machines = new AtomicInteger();
    ChicoryCompilerProvider provider =
        ChicoryCompilerProvider.builder()
            .precompiled(
                code,
                instance -> {
                  machines.incrementAndGet();
                  return HttpHeadersModule.create(instance);
                })
            .build();
    try (ProxyWasmHost host =
            ProxyWasmHost.builder()
                .runtimes(Runtimes.of(provider, new ChicoryInterpreterProvider()))
                .build();
        Plugin plugin =
            host.load(
                PluginConfig.builder("headers").runtime("chicory-compiler").code(code).build());
        Worker worker = host.newWorker()) {
      LocalResponse[] reply = new LocalResponse[1];
      HttpStream s =
          worker
              .handle(plugin)
              .newHttpStream(
                  new HttpStreamListener() {
                    @Override
                    public void onLocalResponse(LocalResponse response) {
                      reply[0] = response;
                    }
                  });
      assertEquals(
          FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK,
          s.onRequestHeaders(HeaderMap.of(":path", "/hello"), true));
      s.close();
      assertEquals(200, reply[0].status());
      assertEquals("Hello, World!\n", reply[0].bodyText());
      // base, canary and the worker's clone all came from the generated classes
      assertTrue(machines.get() >= 3, "machines made by the generated classes: " + machines);
    }
  }

  @Test
  void aBaseVmFromGeneratedClassesLinks() throws Exception {
    byte[] code = PrecompiledBenchmark.httpHeaders();
    assertEquals(
        StandaloneVms.base(ChicoryCompilerProvider.builder().build(), code),
        StandaloneVms.base(PrecompiledBenchmark.precompiledProvider(code), code));
  }
}

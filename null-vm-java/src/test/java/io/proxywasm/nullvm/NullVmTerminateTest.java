package io.proxywasm.nullvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.sdk.RootContext;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostAbi;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVmIntegration;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** {@code terminate()} on the Null VM: it interrupts the thread inside the plugin, and only it. */
class NullVmTerminateTest {
  private final CountDownLatch inside = new CountDownLatch(1);

  private NullVm linked(Supplier<RootContext> roots) {
    JavaPlugin plugin =
        new JavaPlugin() {
          @Override
          public String name() {
            return "stoppable";
          }

          @Override
          public RootContext newRootContext() {
            inside.countDown();
            return roots.get();
          }
        };
    NullVm vm =
        new NullVm(
            new WasmVmIntegration() {
              @Override
              public void error(FailState state, String message) {}

              @Override
              public <T> Optional<T> lookup(Class<T> type, String name) {
                return name.equals("stoppable") ? Optional.of(type.cast(plugin)) : Optional.empty();
              }
            });
    vm.load("java:stoppable".getBytes(StandardCharsets.UTF_8));
    vm.registerHostAbi(new HostAbi() {});
    vm.link("terminate-test");
    return vm;
  }

  private static WasmFunction contextCreate(NullVm vm) {
    return vm.function("proxy_on_context_create", FunctionType.i32(2, 0)).orElseThrow();
  }

  @Test
  void terminateInterruptsAPluginThatWaits() throws Exception {
    NullVm vm =
        linked(
            () -> {
              try {
                Thread.sleep(60_000);
                return null;
              } catch (InterruptedException e) {
                throw new IllegalStateException("stopped while waiting");
              }
            });
    vm.terminate(); // at rest: nothing to interrupt
    CompletableFuture<WasmException> outcome =
        CompletableFuture.supplyAsync(
            () -> assertThrows(WasmException.class, () -> contextCreate(vm).call(1, 0)));
    assertTrue(inside.await(10, TimeUnit.SECONDS), "the plugin was never called");
    vm.terminate();
    WasmException thrown = outcome.get(10, TimeUnit.SECONDS);
    assertTrue(thrown.getMessage().contains("stopped while waiting"), thrown.getMessage());
    assertEquals(FailState.RUNTIME_ERROR, vm.failState());
  }

  @Test
  void theInterruptStaysForThePluginToSeeAndNeverReachesAThreadAtRest() throws Exception {
    NullVm vm =
        linked(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                Thread.onSpinWait();
              }
              return new RootContext() {};
            });
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<Boolean> interruptedAfter =
          caller.submit(
              () -> {
                contextCreate(vm).call(1, 0);
                return Thread.interrupted();
              });
      assertTrue(inside.await(10, TimeUnit.SECONDS), "the plugin was never called");
      vm.terminate();
      assertTrue(
          interruptedAfter.get(10, TimeUnit.SECONDS), "the interrupt is left set, as before");
      assertEquals(FailState.OK, vm.failState());

      vm.terminate(); // the call has returned: its thread must not be interrupted
      assertFalse(
          caller.submit(() -> Thread.currentThread().isInterrupted()).get(10, TimeUnit.SECONDS));
    } finally {
      caller.shutdownNow();
    }
  }
}

package io.proxywasm.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Cloneability;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionExport;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class AbstractWasmVmTest {

  /** Records the failures the VM reports, with a memory limit a test may change. */
  private static final class Integration implements WasmVmIntegration {
    final List<String> errors = new ArrayList<>();
    long memoryLimit = DEFAULT_MEMORY_LIMIT_BYTES;

    @Override
    public long memoryLimitBytes() {
      return memoryLimit;
    }

    @Override
    public void error(FailState state, String message) {
      assertNotEquals(FailState.OK, state);
      errors.add(state.name().toLowerCase(java.util.Locale.ROOT) + " " + message);
    }
  }

  /** A VM whose "module" is a Java body, run through the base class as a runtime runs wasm. */
  private static final class JavaBodyVm extends AbstractWasmVm {
    final AtomicInteger interrupts = new AtomicInteger();
    final AtomicInteger clears = new AtomicInteger();
    final AtomicInteger releases = new AtomicInteger();
    volatile boolean stop;
    String code;

    JavaBodyVm(WasmVmIntegration integration) {
      super(integration);
    }

    long[] call(String name, int params, LongSupplier body, long... args) {
      checkCallable(name, params, args);
      enter();
      try {
        return new long[] {body.getAsLong()};
      } catch (RuntimeException | Error e) {
        throw callFailed(name, reason(e), e);
      } finally {
        exit();
      }
    }

    @Override
    protected void interrupt(Thread running) {
      interrupts.incrementAndGet();
      stop = true;
    }

    @Override
    protected void clearInterrupt() {
      clears.incrementAndGet();
      stop = false;
    }

    @Override
    protected void release() {
      releases.incrementAndGet();
    }

    @Override
    public void load(byte[] bytes) {
      checkOpen();
      code = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public Optional<AbiVersion> abiVersion() {
      loaded(code, "module");
      return Optional.empty();
    }

    @Override
    public List<FunctionImport> functionImports() {
      loaded(code, "module");
      return List.of();
    }

    @Override
    public List<FunctionExport> functionExports() {
      loaded(code, "module");
      return List.of();
    }

    @Override
    public void link(String debugName) {
      loaded(code, "module");
    }

    @Override
    public Optional<WasmFunction> function(String name, FunctionType type) {
      return Optional.empty();
    }

    @Override
    public String runtimeName() {
      return "java-body";
    }

    @Override
    public Cloneability cloneability() {
      return Cloneability.NOT_CLONEABLE;
    }

    @Override
    public WasmVm cloneVm() {
      throw new WasmException(FailState.UNABLE_TO_CLONE_VM, "not cloneable");
    }
  }

  private final Integration integration = new Integration();
  private final JavaBodyVm vm = new JavaBodyVm(integration);

  @Test
  void terminateStopsOnlyACallInProgressAndClearsOnceItHasLeft() throws Exception {
    vm.terminate(); // between calls: nothing to stop
    assertEquals(0, vm.interrupts.get());

    CountDownLatch inside = new CountDownLatch(1);
    CompletableFuture<Throwable> outcome =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                vm.call(
                    "loop",
                    0,
                    () -> {
                      inside.countDown();
                      while (!vm.stop) {
                        Thread.onSpinWait();
                      }
                      throw new IllegalStateException("interrupted");
                    });
                return null;
              } catch (RuntimeException e) {
                return e;
              }
            });
    assertTrue(inside.await(10, TimeUnit.SECONDS), "the call never started");
    vm.terminate();
    Throwable thrown = outcome.get(10, TimeUnit.SECONDS);

    assertEquals(WasmException.class, thrown.getClass());
    assertEquals("Function: loop failed: interrupted", thrown.getMessage());
    assertEquals(1, vm.interrupts.get());
    assertEquals(1, vm.clears.get(), "the interrupt is cleared once the call has left");
    assertEquals(FailState.RUNTIME_ERROR, vm.failState());

    vm.terminate(); // after the call: nothing to stop
    assertEquals(1, vm.interrupts.get());
  }

  @Test
  void nestedCallsAreStoppedOnceAndClearedWhenTheOutermostEnds() {
    long[] result =
        vm.call(
            "outer",
            0,
            () -> {
              long inner =
                  vm.call(
                          "inner",
                          1,
                          () -> {
                            vm.terminate();
                            vm.terminate();
                            return 7;
                          },
                          1)[0];
              assertEquals(0, vm.clears.get(), "cleared before the outermost call ended");
              return inner;
            });
    assertEquals(7, result[0]);
    assertEquals(1, vm.interrupts.get());
    assertEquals(1, vm.clears.get());
    assertEquals(FailState.OK, vm.failState());
  }

  @Test
  void aCallIsRefusedWhenClosedFailedOrGivenTheWrongArguments() {
    IllegalArgumentException arity =
        assertThrows(IllegalArgumentException.class, () -> vm.call("f", 2, () -> 0, 1));
    assertEquals("f takes 2 arguments, not 1", arity.getMessage());

    LongSupplier trap =
        () -> {
          throw new IllegalStateException("unreachable executed");
        };
    assertThrows(WasmException.class, () -> vm.call("f", 0, trap));
    assertEquals(
        List.of("runtime_error Function: f failed: unreachable executed"), integration.errors);
    WasmException refused = assertThrows(WasmException.class, () -> vm.call("g", 0, () -> 0));
    assertEquals("Function: g not called: the VM has failed", refused.getMessage());
    assertEquals(FailState.RUNTIME_ERROR, refused.failState());

    vm.fail(FailState.UNABLE_TO_INITIALIZE_CODE, "a second failure");
    assertEquals(FailState.RUNTIME_ERROR, vm.failState(), "the first failure is kept");
    assertEquals(1, integration.errors.size());

    vm.close();
    vm.close();
    assertEquals(2, vm.releases.get());
    IllegalStateException closed =
        assertThrows(IllegalStateException.class, () -> vm.call("f", 0, () -> 0));
    assertEquals("the VM is closed", closed.getMessage());
    assertThrows(IllegalStateException.class, () -> vm.load(new byte[0]));
  }

  @Test
  void failCallbacksRunAfterTheIntegrationHears() {
    List<String> seen = new ArrayList<>();
    vm.addFailCallback(state -> seen.add(integration.errors.size() + " " + state));
    vm.fail(FailState.RUNTIME_ERROR, "boom");
    assertEquals(List.of("1 RUNTIME_ERROR"), seen);
    assertThrows(IllegalArgumentException.class, () -> vm.fail(FailState.OK, "ok"));
  }

  @Test
  void nothingLoadedIsAnErrorInWords() {
    IllegalStateException e = assertThrows(IllegalStateException.class, vm::functionImports);
    assertEquals("no module is loaded", e.getMessage());
    vm.load("x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(List.of(), vm.functionImports());
  }

  @Test
  void importsAreMatchedByNameAndSignature() {
    FunctionType type = FunctionType.i32(2, 1);
    HostFunction log = new HostFunction("env", "log", type, args -> new long[] {0});
    vm.registerHostFunction(log);
    assertSame(log, vm.hostFunction("env", "log", type));

    WasmException missing =
        assertThrows(WasmException.class, () -> vm.hostFunction("env", "tick", type));
    assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, missing.failState());
    assertEquals(
        "Failed to load Wasm module due to a missing import: env.tick", missing.getMessage());

    WasmException mismatch =
        assertThrows(
            WasmException.class, () -> vm.hostFunction("env", "log", FunctionType.i32(1, 1)));
    assertTrue(
        mismatch
            .getMessage()
            .startsWith(
                "Failed to load Wasm module due to an import type mismatch: env.log, want: "),
        mismatch.getMessage());

    assertEquals(
        "Failed to load Wasm module due to an unsupported import: env.g is a global; only"
            + " functions, memories and tables can be imported",
        AbstractWasmVm.unsupportedImport("env.g", "GLOBAL").getMessage());
  }

  @Test
  void memoryIsCappedAtTheIntegrationsLimit() {
    integration.memoryLimit = 10L * AbstractWasmVm.PAGE_SIZE;
    assertEquals(10, vm.maximumPages(2, 65_536, 65_536, "m"));
    assertEquals(5, vm.maximumPages(2, 5, 65_536, "m"));
    assertEquals(3, vm.maximumPages(2, 65_536, 3, "m"));
    WasmException over = assertThrows(WasmException.class, () -> vm.maximumPages(11, 20, 20, "m"));
    assertEquals(
        "Failed to load Wasm module m: its memory starts at 11 pages, over the memory limit of "
            + integration.memoryLimit
            + " bytes",
        over.getMessage());
  }

  @Test
  void onlyWebAssemblyPassesTheMagicCheck() {
    AbstractWasmVm.checkMagic(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
    WasmException e =
        assertThrows(WasmException.class, () -> AbstractWasmVm.checkMagic(new byte[] {0, 'a'}));
    assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, e.failState());
  }

  @Test
  void traceValuesAreFormattedByType() {
    List<ValueType> types = List.of(ValueType.I32, ValueType.I64, ValueType.F32, ValueType.F64);
    long[] values = {-1, -1, Float.floatToRawIntBits(1.5f), Double.doubleToRawLongBits(-2.25), 9};
    assertEquals("4294967295, -1, 1.5, -2.25, 9", AbstractWasmVm.format(types, values));
    assertEquals("void", AbstractWasmVm.formatReturn(types, new long[0]));
    assertEquals("void", AbstractWasmVm.formatReturn(types, null));
  }

  @Test
  void reasonsAreWords() {
    assertEquals("NullPointerException", AbstractWasmVm.reason(new NullPointerException()));
    assertEquals("bad", AbstractWasmVm.reason(new IllegalStateException("bad")));
  }
}

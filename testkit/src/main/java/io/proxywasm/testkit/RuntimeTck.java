package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.proxywasm.sdk.JavaPlugin;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Callback;
import io.proxywasm.spi.Cloneability;
import io.proxywasm.spi.FailState;
import io.proxywasm.spi.FunctionExport;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostAbi;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.LinearMemory;
import io.proxywasm.spi.MemoryAccessException;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.VmCapability;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.WasmVmProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * The runtime TCK: the contract of {@link WasmVm} every runtime must meet, as a JUnit 5 class a
 * runtime author extends with their {@link WasmVmProvider}. It covers loading and ABI detection,
 * imports and linking, every call shape, bounds-checked memory, traps and the fail state, clone
 * independence, termination of a running call, and the memory limit; and, for runtimes that run
 * Java plugins, the same lifecycle on a Java plugin.
 *
 * <p>A case that needs a capability the runtime does not declare ({@link VmCapability}) is skipped
 * with that reason. Any other case can be skipped only through {@link #exclusions()}, with a
 * written reason; a case listed in {@link #expectedFailures()} runs, and fails the build if it
 * starts passing, so that the list stays true.
 *
 * <pre>{@code
 * class MyRuntimeTckTest extends RuntimeTck {
 *   protected WasmVmProvider provider() { return new MyRuntimeProvider(); }
 * }
 * }</pre>
 */
public abstract class RuntimeTck {
  private static final long PAGE = 65_536;

  /** Creates the TCK; subclasses are JUnit test classes. */
  protected RuntimeTck() {}

  /**
   * Returns the runtime under test.
   *
   * @return the provider
   */
  protected abstract WasmVmProvider provider();

  /**
   * Returns the cases this runtime skips, by method name, with the reason.
   *
   * @return case name to reason; empty by default
   */
  protected Map<String, String> exclusions() {
    return Map.of();
  }

  /**
   * Returns the cases known to fail on this runtime, by method name, with the reason. They still
   * run; one that passes fails the build until it is removed from this list.
   *
   * @return case name to reason; empty by default
   */
  protected Map<String, String> expectedFailures() {
    return Map.of();
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /** The embedder hooks a VM under test gets: errors recorded, a memory limit, the TCK plugin. */
  protected static final class Hooks implements WasmVmIntegration {
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final long memoryLimit;

    Hooks(long memoryLimit) {
      this.memoryLimit = memoryLimit;
    }

    @Override
    public void error(FailState state, String message) {
      errors.add(state + ": " + message);
    }

    @Override
    public long memoryLimitBytes() {
      return memoryLimit;
    }

    @Override
    public <T> Optional<T> lookup(Class<T> type, String name) {
      return type == JavaPlugin.class && name.equals(TckJavaPlugin.NAME)
          ? Optional.of(type.cast(new TckJavaPlugin()))
          : Optional.empty();
    }

    /**
     * Returns the failures the VM reported.
     *
     * @return state and message of each
     */
    public List<String> errors() {
      return List.copyOf(errors);
    }
  }

  private final List<WasmVm> vms = new ArrayList<>();

  private WasmVm create(Hooks hooks) {
    WasmVm vm = provider().create(hooks);
    vms.add(vm);
    return vm;
  }

  /** Closes every VM a case created. */
  @AfterEach
  public void closeVms() {
    for (WasmVm vm : vms) {
      vm.close();
    }
    vms.clear();
  }

  /** A case body. */
  @FunctionalInterface
  private interface Body {
    void run() throws Exception;
  }

  private void run(String name, VmCapability needs, String why, Body body) throws Exception {
    String excluded = exclusions().get(name);
    if (excluded != null) {
      throw new TestAbortedException("excluded by " + provider().name() + ": " + excluded);
    }
    Assumptions.assumeTrue(
        provider().capabilities().contains(needs),
        () -> "runtime " + provider().name() + " does not declare " + needs + ": " + why);
    String expected = expectedFailures().get(name);
    if (expected == null) {
      body.run();
      return;
    }
    try {
      body.run();
    } catch (AssertionError | Exception e) {
      throw new TestAbortedException("expected failure (" + expected + "): " + e, e);
    }
    fail(
        name
            + " is listed in expectedFailures ("
            + expected
            + ") but passes on "
            + provider().name()
            + ": remove it from the list");
  }

  private static byte[] module(String name) {
    try (InputStream in = RuntimeTck.class.getResourceAsStream("tck/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the test kit jar lacks its TCK module " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final FunctionType HOST_MIX =
      FunctionType.of(List.of(ValueType.I32, ValueType.I64), List.of(ValueType.I64));

  /** Loads and links the TCK module, with {@code env.host_mix(a, b) = a * 1000 + b}. */
  private WasmVm linked(Hooks hooks) {
    WasmVm vm = create(hooks);
    vm.load(module("tck.wasm"));
    registerHost(vm);
    vm.link("tck");
    return vm;
  }

  private static void registerHost(WasmVm vm) {
    vm.registerHostFunction(
        new HostFunction("env", "host_mix", HOST_MIX, a -> new long[] {(int) a[0] * 1000L + a[1]}));
  }

  private static WasmFunction fn(WasmVm vm, String name, FunctionType type) {
    return vm.function(name, type)
        .orElseThrow(() -> new AssertionError("export " + name + " not found"));
  }

  private static WasmFunction i32(WasmVm vm, String name, int params, int results) {
    return fn(vm, name, FunctionType.i32(params, results));
  }

  private static Hooks hooks() {
    return new Hooks(WasmVmIntegration.DEFAULT_MEMORY_LIMIT_BYTES);
  }

  /**
   * A host with no host function: each answers {@code Unimplemented} (the TCK plugin calls none).
   */
  private static HostAbi refusingHost() {
    return new HostAbi() {};
  }

  private static final String WASM = "the case runs a wasm module";
  private static final String JAVA = "the case runs a Java plugin";

  // ---- the TCK's own bookkeeping --------------------------------------------------------------

  /** Every exclusion and expected failure names a case of this TCK. */
  @Test
  public void exclusionsAndExpectedFailuresNameRealCases() {
    Set<String> cases = new TreeSet<>();
    for (Method m : RuntimeTck.class.getDeclaredMethods()) {
      if (m.isAnnotationPresent(Test.class) && Modifier.isPublic(m.getModifiers())) {
        cases.add(m.getName());
      }
    }
    for (String name : exclusions().keySet()) {
      assertTrue(
          cases.contains(name), "exclusions() names no TCK case: " + name + "; cases: " + cases);
      assertFalse(exclusions().get(name).isBlank(), "exclusion " + name + " needs a reason");
    }
    for (String name : expectedFailures().keySet()) {
      assertTrue(
          cases.contains(name),
          "expectedFailures() names no TCK case: " + name + "; cases: " + cases);
      assertFalse(
          expectedFailures().get(name).isBlank(), "expected failure " + name + " needs a reason");
    }
    assertFalse(provider().name().isBlank(), "the runtime needs a name");
  }

  // ---- loading --------------------------------------------------------------------------------

  /**
   * The ABI version comes from the {@code proxy_abi_version_*} export; none means empty.
   *
   * @throws Exception on failure
   */
  @Test
  public void detectsTheAbiVersion() throws Exception {
    run(
        "detectsTheAbiVersion",
        VmCapability.WASM_BYTECODE,
        WASM,
        () -> {
          Map<String, Optional<AbiVersion>> expected =
              Map.of(
                  "abi-0-1-0-imports.wasm", Optional.of(AbiVersion.V0_1_0),
                  "abi-0-2-0-imports.wasm", Optional.of(AbiVersion.V0_2_0),
                  "abi-0-2-1-imports.wasm", Optional.of(AbiVersion.V0_2_1),
                  "no-abi-marker.wasm", Optional.empty());
          for (Map.Entry<String, Optional<AbiVersion>> e : expected.entrySet()) {
            WasmVm vm = create(hooks());
            vm.load(module(e.getKey()));
            assertEquals(e.getValue(), vm.abiVersion(), e.getKey());
          }
        });
  }

  /**
   * Bytes that are not a wasm module fail to load with {@code UnableToInitializeCode}.
   *
   * @throws Exception on failure
   */
  @Test
  public void refusesAMalformedModule() throws Exception {
    run(
        "refusesAMalformedModule",
        VmCapability.WASM_BYTECODE,
        WASM,
        () -> {
          WasmVm vm = create(hooks());
          WasmException e =
              assertThrows(WasmException.class, () -> vm.load(module("bad-magic.wasm")));
          assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, e.failState());
          assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "a message");
        });
  }

  /**
   * Imports and exports are listed with their signatures before linking.
   *
   * @throws Exception on failure
   */
  @Test
  public void listsImportsAndExports() throws Exception {
    run(
        "listsImportsAndExports",
        VmCapability.WASM_BYTECODE,
        WASM,
        () -> {
          WasmVm vm = create(hooks());
          vm.load(module("tck.wasm"));
          assertEquals(
              List.of(new FunctionImport("env", "host_mix", HOST_MIX)), vm.functionImports());
          assertTrue(
              vm.functionExports().contains(new FunctionExport("add_i32", FunctionType.i32(2, 1))),
              vm.functionExports().toString());
        });
  }

  /**
   * Linking fails, naming the import, when a host function is missing or has another signature.
   *
   * @throws Exception on failure
   */
  @Test
  public void linkingNamesAMissingOrMistypedImport() throws Exception {
    run(
        "linkingNamesAMissingOrMistypedImport",
        VmCapability.WASM_BYTECODE,
        WASM,
        () -> {
          WasmVm missing = create(hooks());
          missing.load(module("tck.wasm"));
          WasmException e1 = assertThrows(WasmException.class, () -> missing.link("tck"));
          assertTrue(e1.getMessage().contains("host_mix"), e1.getMessage());
          assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, e1.failState());

          WasmVm mistyped = create(hooks());
          mistyped.load(module("tck.wasm"));
          mistyped.registerHostFunction(
              new HostFunction("env", "host_mix", FunctionType.i32(2, 1), a -> new long[] {0}));
          WasmException e2 = assertThrows(WasmException.class, () -> mistyped.link("tck"));
          assertTrue(e2.getMessage().contains("host_mix"), e2.getMessage());
        });
  }

  // ---- calls ----------------------------------------------------------------------------------

  /**
   * Every value type passes in and out as {@code long}s: i32 wrapped, i64, f32 and f64 as raw bits;
   * a function without results returns an empty array.
   *
   * @throws Exception on failure
   */
  @Test
  public void callsWithEveryValueType() throws Exception {
    run(
        "callsWithEveryValueType",
        VmCapability.WASM_BYTECODE,
        WASM,
        () -> {
          WasmVm vm = linked(hooks());
          assertEquals(1, (int) i32(vm, "add_i32", 2, 1).call(0xFFFF_FFFFL, 2)[0]);
          FunctionType i64 =
              FunctionType.of(List.of(ValueType.I64, ValueType.I64), List.of(ValueType.I64));
          assertEquals(Long.MIN_VALUE, fn(vm, "add_i64", i64).call(Long.MAX_VALUE, 1)[0]);
          FunctionType f32 =
              FunctionType.of(List.of(ValueType.F32, ValueType.F32), List.of(ValueType.F32));
          long[] r32 =
              fn(vm, "mul_f32", f32)
                  .call(Float.floatToRawIntBits(1.5f), Float.floatToRawIntBits(-2f));
          assertEquals(-3f, Float.intBitsToFloat((int) r32[0]));
          FunctionType f64 =
              FunctionType.of(List.of(ValueType.F64, ValueType.F64), List.of(ValueType.F64));
          long[] r64 =
              fn(vm, "mul_f64", f64)
                  .call(Double.doubleToRawLongBits(0.5), Double.doubleToRawLongBits(-8.25));
          assertEquals(-4.125, Double.longBitsToDouble(r64[0]));
          FunctionType mix =
              FunctionType.of(
                  List.of(ValueType.I32, ValueType.I64, ValueType.F32, ValueType.F64),
                  List.of(ValueType.F64));
          long[] rm =
              fn(vm, "mix", mix)
                  .call(
                      0xFFFF_FFFFL,
                      10,
                      Float.floatToRawIntBits(0.5f),
                      Double.doubleToRawLongBits(0.25));
          assertEquals(9.75, Double.longBitsToDouble(rm[0]));
          assertArrayEquals(new long[0], i32(vm, "nothing", 0, 0).call());
        });
  }

  /**
   * A host function gets the module's arguments and its result goes back to the module.
   *
   * @throws Exception on failure
   */
  @Test
  public void callsIntoTheHostAndBack() throws Exception {
    run(
        "callsIntoTheHostAndBack",
        VmCapability.WASM_BYTECODE,
        WASM,
        () -> {
          WasmVm vm = linked(hooks());
          FunctionType type =
              FunctionType.of(List.of(ValueType.I32, ValueType.I64), List.of(ValueType.I64));
          assertEquals(
              7_000L + 5_000_000_000L, fn(vm, "call_host", type).call(7, 5_000_000_000L)[0]);
          assertEquals(-1000L, fn(vm, "call_host", type).call(0xFFFF_FFFFL, 0)[0], "i32 is signed");
        });
  }

  /**
   * A missing export is empty; an export with another signature is an error naming both.
   *
   * @throws Exception on failure
   */
  @Test
  public void looksUpExportsBySignature() throws Exception {
    run(
        "looksUpExportsBySignature",
        VmCapability.WASM_BYTECODE,
        WASM,
        () -> {
          WasmVm vm = linked(hooks());
          assertEquals(Optional.empty(), vm.function("no_such_export", FunctionType.i32(0, 0)));
          WasmException e =
              assertThrows(
                  WasmException.class, () -> vm.function("add_i32", FunctionType.i32(1, 1)));
          assertTrue(e.getMessage().contains("add_i32"), e.getMessage());
        });
  }

  // ---- memory ---------------------------------------------------------------------------------

  /**
   * Memory accessors see what the module stores, and every access past the end is refused.
   *
   * @throws Exception on failure
   */
  @Test
  public void boundsChecksMemory() throws Exception {
    run(
        "boundsChecksMemory",
        VmCapability.WASM_BYTECODE,
        WASM,
        () -> {
          WasmVm vm = linked(hooks());
          LinearMemory mem = vm.memory().orElseThrow();
          assertEquals(PAGE, mem.size());
          i32(vm, "store", 2, 0).call(100, 0x01020304);
          assertEquals(0x01020304, mem.readInt(100));
          assertArrayEquals(new byte[] {4, 3, 2, 1}, mem.read(100, 4), "little-endian");
          mem.writeInt(200, -7);
          assertEquals(-7, (int) i32(vm, "load", 1, 1).call(200)[0]);
          mem.writeLong(PAGE - 8, Long.MIN_VALUE);
          assertEquals(Long.MIN_VALUE, mem.readLong(PAGE - 8));
          byte[] text = "hello".getBytes(StandardCharsets.UTF_8);
          mem.write(PAGE - 5, text, 0, 5);
          assertArrayEquals(text, mem.read(PAGE - 5, 5));
          assertThrows(MemoryAccessException.class, () -> mem.readInt(PAGE - 3));
          assertThrows(MemoryAccessException.class, () -> mem.writeLong(PAGE - 7, 1));
          assertThrows(MemoryAccessException.class, () -> mem.read(PAGE - 4, 5));
          assertThrows(MemoryAccessException.class, () -> mem.write(PAGE, text, 0, 1));
          assertThrows(MemoryAccessException.class, () -> mem.read(-1, 1));
          assertThrows(MemoryAccessException.class, () -> mem.readInt(1L << 33));
        });
  }

  /**
   * {@code memory.grow} returns the old size in pages and the VM reports the new size.
   *
   * @throws Exception on failure
   */
  @Test
  public void growsMemory() throws Exception {
    run(
        "growsMemory",
        VmCapability.WASM_BYTECODE,
        WASM,
        () -> {
          WasmVm vm = linked(hooks());
          LinearMemory mem = vm.memory().orElseThrow();
          assertEquals(1, (int) i32(vm, "grow", 1, 1).call(2)[0]);
          assertEquals(3 * PAGE, mem.size());
          mem.writeInt(3 * PAGE - 4, 9);
          assertEquals(9, mem.readInt(3 * PAGE - 4));
        });
  }

  /**
   * Growing past the VM's memory limit fails inside the module (-1), not in the host.
   *
   * @throws Exception on failure
   */
  @Test
  public void capsMemoryAtTheLimit() throws Exception {
    run(
        "capsMemoryAtTheLimit",
        VmCapability.MEMORY_LIMIT,
        "the runtime cannot limit memory growth",
        () -> {
          WasmVm vm = linked(new Hooks(2 * PAGE));
          LinearMemory mem = vm.memory().orElseThrow();
          WasmFunction grow = i32(vm, "grow", 1, 1);
          assertEquals(1, (int) grow.call(1)[0]);
          assertEquals(-1, (int) grow.call(1)[0]);
          assertEquals(2 * PAGE, mem.size());
          assertEquals(FailState.OK, vm.failState(), "a refused growth is not a failure");
        });
  }

  // ---- traps ----------------------------------------------------------------------------------

  /**
   * A trap fails the VM once: the call throws {@code RuntimeError}, the embedder and the fail
   * callbacks hear of it, and later calls are refused.
   *
   * @throws Exception on failure
   */
  @Test
  public void aTrapFailsTheVm() throws Exception {
    run(
        "aTrapFailsTheVm",
        VmCapability.WASM_BYTECODE,
        WASM,
        () -> {
          Hooks hooks = hooks();
          WasmVm vm = linked(hooks);
          AtomicInteger callbacks = new AtomicInteger();
          vm.addFailCallback(state -> callbacks.incrementAndGet());
          WasmException e = assertThrows(WasmException.class, () -> i32(vm, "trap", 0, 0).call());
          assertEquals(FailState.RUNTIME_ERROR, e.failState());
          assertEquals(FailState.RUNTIME_ERROR, vm.failState());
          assertEquals(1, callbacks.get());
          assertEquals(1, hooks.errors().size(), hooks.errors().toString());
          assertThrows(WasmException.class, () -> i32(vm, "add_i32", 2, 1).call(1, 2));
          assertEquals(1, callbacks.get(), "a failed VM fails once");
        });
  }

  /**
   * Integer division by zero traps.
   *
   * @throws Exception on failure
   */
  @Test
  public void divisionByZeroTraps() throws Exception {
    run(
        "divisionByZeroTraps",
        VmCapability.WASM_BYTECODE,
        WASM,
        () -> {
          WasmVm vm = linked(hooks());
          assertEquals(-2, (int) i32(vm, "divide", 2, 1).call(-6, 3)[0]);
          WasmException e =
              assertThrows(WasmException.class, () -> i32(vm, "divide", 2, 1).call(1, 0));
          assertEquals(FailState.RUNTIME_ERROR, e.failState());
        });
  }

  /**
   * {@link WasmVm#terminate()} from another thread stops a call that never returns, and the calling
   * thread is not left interrupted.
   *
   * @throws Exception on failure
   */
  @Test
  public void terminateStopsARunningCall() throws Exception {
    run(
        "terminateStopsARunningCall",
        VmCapability.TERMINATE,
        "the runtime cannot stop running code",
        () -> {
          WasmVm vm = linked(hooks());
          WasmFunction spin = i32(vm, "spin", 0, 0);
          CompletableFuture<Throwable> outcome = new CompletableFuture<>();
          Thread caller =
              new Thread(
                  () -> {
                    try {
                      spin.call();
                      outcome.complete(null);
                    } catch (Throwable t) {
                      outcome.complete(t);
                    }
                    if (Thread.currentThread().isInterrupted()) {
                      outcome.obtrudeValue(new AssertionError("the caller was left interrupted"));
                    }
                  },
                  "tck-spin");
          caller.start();
          // terminate() stops a call in progress and ignores a VM at rest: the caller may not have
          // entered the module yet on a loaded machine, so ask until the call has ended.
          Throwable t = null;
          for (int i = 0; i < 200 && t == null && !outcome.isDone(); i++) {
            vm.terminate();
            try {
              t = outcome.get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
              // ask again
            }
          }
          t = outcome.getNow(t);
          assertTrue(outcome.isDone(), "the call was still running 10 s after terminate()");
          assertTrue(t instanceof WasmException, "the call ends with a WasmException: " + t);
          assertEquals(FailState.RUNTIME_ERROR, vm.failState());
          caller.join(1000);
        });
  }

  // ---- clones ---------------------------------------------------------------------------------

  /**
   * A clone starts from the module's initial state and never shares globals or memory with the VM
   * it was cloned from.
   *
   * @throws Exception on failure
   */
  @Test
  public void clonesAreIndependent() throws Exception {
    run(
        "clonesAreIndependent",
        VmCapability.WASM_BYTECODE,
        WASM,
        () -> {
          WasmVm base = linked(hooks());
          WasmFunction bump = i32(base, "bump", 0, 1);
          bump.call();
          assertEquals(2, (int) bump.call()[0]);
          base.memory().orElseThrow().writeInt(64, 42);
          if (base.cloneability() == Cloneability.NOT_CLONEABLE) {
            return;
          }
          WasmVm clone = base.cloneVm();
          vms.add(clone);
          if (base.cloneability() == Cloneability.COMPILED_BYTECODE) {
            registerHost(clone);
            clone.link("tck-clone");
          }
          assertEquals(1, (int) i32(clone, "bump", 0, 1).call()[0], "globals start over");
          assertEquals(0, clone.memory().orElseThrow().readInt(64), "memory starts over");
          clone.memory().orElseThrow().writeInt(64, 7);
          assertEquals(42, base.memory().orElseThrow().readInt(64), "the base keeps its memory");
          assertEquals(3, (int) bump.call()[0], "the base keeps its globals");
        });
  }

  // ---- Java plugins ---------------------------------------------------------------------------

  private WasmVm javaVm(Hooks hooks) {
    WasmVm vm = create(hooks);
    vm.load(("java:" + TckJavaPlugin.NAME).getBytes(StandardCharsets.UTF_8));
    vm.registerHostAbi(refusingHost());
    vm.link("tck");
    return vm;
  }

  /**
   * A Java plugin speaks ABI 0.2.1, lists its callbacks, and refuses a wrong signature.
   *
   * @throws Exception on failure
   */
  @Test
  public void javaPluginExportsTheCallbacks() throws Exception {
    run(
        "javaPluginExportsTheCallbacks",
        VmCapability.JAVA_PLUGINS,
        JAVA,
        () -> {
          WasmVm vm = javaVm(hooks());
          assertEquals(Optional.of(AbiVersion.V0_2_1), vm.abiVersion());
          assertEquals(Optional.empty(), vm.memory(), "a Java plugin has no linear memory");
          // the marker and every callback of the catalogue the host calls on a plugin
          List<FunctionExport> expected = new ArrayList<>();
          expected.add(new FunctionExport(AbiVersion.V0_2_1.marker(), FunctionType.i32(0, 0)));
          for (Callback c : Callback.of(AbiVersion.V0_2_1)) {
            if (c.kind() == Callback.Kind.PLUGIN) {
              expected.add(c.asExport());
            }
          }
          assertEquals(
              new java.util.HashSet<>(expected), new java.util.HashSet<>(vm.functionExports()));
          assertThrows(
              WasmException.class,
              () -> vm.function("proxy_on_context_create", FunctionType.i32(3, 0)));
          WasmVm unknown = create(hooks());
          WasmException e =
              assertThrows(
                  WasmException.class,
                  () -> unknown.load("java:no.such.Plugin".getBytes(StandardCharsets.UTF_8)));
          assertEquals(FailState.UNABLE_TO_INITIALIZE_CODE, e.failState());
        });
  }

  /**
   * A Java plugin's state belongs to its VM: a clone starts over.
   *
   * @throws Exception on failure
   */
  @Test
  public void javaPluginClonesAreIndependent() throws Exception {
    run(
        "javaPluginClonesAreIndependent",
        VmCapability.JAVA_PLUGINS,
        JAVA,
        () -> {
          WasmVm base = javaVm(hooks());
          i32(base, "proxy_on_context_create", 2, 0).call(1, 0);
          WasmFunction configure = i32(base, "proxy_on_configure", 2, 1);
          assertEquals(1, configure.call(1, 0)[0]);
          assertEquals(1, configure.call(1, 1)[0]);
          assertEquals(0, configure.call(1, 5)[0]);
          WasmVm clone = base.cloneVm();
          vms.add(clone);
          clone.registerHostAbi(refusingHost());
          clone.link("tck-clone");
          i32(clone, "proxy_on_context_create", 2, 0).call(1, 0);
          assertEquals(1, i32(clone, "proxy_on_configure", 2, 1).call(1, 0)[0]);
        });
  }

  /**
   * An exception from a Java plugin fails the VM as a trap does.
   *
   * @throws Exception on failure
   */
  @Test
  public void javaPluginExceptionFailsTheVm() throws Exception {
    run(
        "javaPluginExceptionFailsTheVm",
        VmCapability.JAVA_PLUGINS,
        JAVA,
        () -> {
          Hooks hooks = hooks();
          WasmVm vm = javaVm(hooks);
          i32(vm, "proxy_on_context_create", 2, 0).call(1, 0);
          WasmException e =
              assertThrows(
                  WasmException.class, () -> i32(vm, "proxy_on_vm_start", 2, 1).call(1, 99));
          assertEquals(FailState.RUNTIME_ERROR, e.failState());
          assertTrue(e.getMessage().contains("TCK trap"), e.getMessage());
          assertEquals(FailState.RUNTIME_ERROR, vm.failState());
          assertEquals(1, hooks.errors().size());
          assertThrows(WasmException.class, () -> i32(vm, "proxy_on_configure", 2, 1).call(1, 0));
        });
  }
}

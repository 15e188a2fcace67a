package io.proxywasm.asm;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.ActiveElement;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.Element;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ImportSection;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.MemoryImport;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import com.dylibso.chicory.wasm.types.TableImport;
import com.dylibso.chicory.wasm.types.TableLimits;
import com.dylibso.chicory.wasm.types.ValType;
import io.proxywasm.spi.AbiVersion;
import io.proxywasm.spi.Cloneability;
import io.proxywasm.spi.FunctionExport;
import io.proxywasm.spi.FunctionImport;
import io.proxywasm.spi.FunctionType;
import io.proxywasm.spi.HostFunction;
import io.proxywasm.spi.LinearMemory;
import io.proxywasm.spi.MemoryAccessException;
import io.proxywasm.spi.UnsupportedModuleException;
import io.proxywasm.spi.ValueType;
import io.proxywasm.spi.WasmException;
import io.proxywasm.spi.WasmFunction;
import io.proxywasm.spi.WasmVm;
import io.proxywasm.spi.WasmVmIntegration;
import io.proxywasm.spi.support.AbstractWasmVm;
import io.proxywasm.spi.support.SharedByHash;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link WasmVm} that runs a module translated to JVM bytecode by {@link Translator}. The module
 * is translated once at {@link #load}; clones share the generated class and start from the module's
 * initial state.
 *
 * <p>Every failure inside the module (traps, {@link StackOverflowError}, exceptions of host
 * functions) becomes a {@link WasmException} that fails the VM; none escapes otherwise.
 */
final class AsmVm extends AbstractWasmVm implements LinearMemory {
  private static final long[] NONE = new long[0];

  /** The most pages a {@code byte[]} holds. */
  static final int MAX_PAGES = Integer.MAX_VALUE / PAGE_SIZE;

  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /**
   * Modules by hash, shared by every VM of the process while any holds them: a second base VM of
   * the same module (another vm_id or VM configuration) is not parsed and translated again.
   */
  private static final SharedByHash<Code> SHARED = new SharedByHash<>();

  /** Forgets every shared module, as a restart would; for tests. */
  static void forgetShared() {
    SHARED.clear();
  }

  /** How many modules were parsed and translated in this process; tests read it. */
  static final AtomicLong TRANSLATIONS = new AtomicLong();

  /** A parsed, validated and translated module with what the host asks about it; immutable. */
  record Code(
      WasmModule module,
      List<FunctionImport> functionImports,
      Map<String, Integer> exportIndex,
      Map<String, com.dylibso.chicory.wasm.types.FunctionType> functionExports,
      Optional<AbiVersion> abiVersion,
      Class<? extends AsmInstance> generated) {}

  private Code code;
  private AsmInstance instance;
  private boolean linked;
  private final Optional<LinearMemory> view = Optional.of(this);

  AsmVm(WasmVmIntegration integration) {
    this(integration, null);
  }

  private AsmVm(WasmVmIntegration integration, Code code) {
    super(integration);
    this.code = code;
  }

  @Override
  public String runtimeName() {
    return AsmProvider.NAME;
  }

  @Override
  public Cloneability cloneability() {
    return Cloneability.COMPILED_BYTECODE;
  }

  // ---- load -----------------------------------------------------------------------------------

  @Override
  public void load(byte[] bytes) {
    Objects.requireNonNull(bytes, "code");
    checkOpen();
    if (code != null) {
      throw new IllegalStateException("a module is already loaded");
    }
    checkMagic(bytes);
    try {
      code = SHARED.get(SharedByHash.sha256(bytes), () -> inspect(bytes, Parser.parse(bytes)));
    } catch (WasmException e) {
      throw e;
    } catch (Translator.TooLarge e) {
      // runtime chicory-compiler runs such a function in its interpreter
      throw new UnsupportedModuleException("Failed to load Wasm bytecode: " + e.getMessage(), e);
    } catch (Translator.Unsupported e) {
      throw new UnsupportedModuleException(
          "Failed to load Wasm bytecode: the asm runtime does not support " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      throw initError("Failed to load Wasm bytecode: " + reason(e), e);
    }
  }

  private static Code inspect(byte[] bytes, WasmModule module) {
    TRANSLATIONS.incrementAndGet();
    List<FunctionImport> imports = new ArrayList<>();
    List<com.dylibso.chicory.wasm.types.FunctionType> importTypes = new ArrayList<>();
    ImportSection importSection = module.importSection();
    for (int i = 0; i < importSection.importCount(); i++) {
      if (importSection.getImport(i)
          instanceof com.dylibso.chicory.wasm.types.FunctionImport function) {
        var type = module.typeSection().getType(function.typeIndex());
        String qualified = function.module() + "." + function.name();
        FunctionType spiType =
            toSpi(type)
                .orElseThrow(
                    () ->
                        initError(
                            "Failed to load Wasm bytecode: the import "
                                + qualified
                                + " has a signature no host function can have: "
                                + describe(type),
                            null));
        importTypes.add(type);
        imports.add(new FunctionImport(function.module(), function.name(), spiType));
      }
    }
    Map<String, com.dylibso.chicory.wasm.types.FunctionType> exports = new LinkedHashMap<>();
    Map<String, Integer> exportIndex = new HashMap<>();
    Set<Integer> entryPoints = new TreeSet<>();
    ExportSection exportSection = module.exportSection();
    for (int i = 0; i < exportSection.exportCount(); i++) {
      Export export = exportSection.getExport(i);
      if (export.exportType() == ExternalType.FUNCTION) {
        int index = export.index();
        var type =
            index < importTypes.size()
                ? importTypes.get(index)
                : module
                    .typeSection()
                    .getType(module.functionSection().getFunctionType(index - importTypes.size()));
        exports.put(export.name(), type);
        if (toSpi(type).isPresent()) {
          exportIndex.put(export.name(), index);
          entryPoints.add(index);
        }
      }
    }
    module.startSection().ifPresent(s -> entryPoints.add((int) s.startIndex()));
    // functions whose translation HotSpot would not JIT-compile are split, and the module with
    // them split (same imports, exports and indexes) is the one that runs
    Splitting.Translated translated =
        Splitting.translate(bytes, module, "io/proxywasm/asm/gen/Module", entryPoints);
    Translator.Result result = translated.result();
    return new Code(
        translated.module(),
        List.copyOf(imports),
        Map.copyOf(exportIndex),
        Collections.unmodifiableMap(exports),
        AbiVersion.detect(exports.keySet()),
        Generated.define(result));
  }

  @Override
  public Optional<AbiVersion> abiVersion() {
    return loaded().abiVersion();
  }

  @Override
  public List<FunctionImport> functionImports() {
    return loaded().functionImports();
  }

  @Override
  public List<FunctionExport> functionExports() {
    List<FunctionExport> out = new ArrayList<>();
    loaded()
        .functionExports()
        .forEach((name, type) -> toSpi(type).ifPresent(t -> out.add(new FunctionExport(name, t))));
    return out;
  }

  // ---- link -----------------------------------------------------------------------------------

  @Override
  public void link(String debugName) {
    Code loaded = loaded();
    if (linked) {
      throw new IllegalStateException("the module is already linked");
    }
    List<HostFunction> hosts = new ArrayList<>();
    MemoryLimits memoryLimits = null;
    TableLimits tableLimits = null;
    ImportSection section = loaded.module().importSection();
    int functionIndex = 0;
    for (int i = 0; i < section.importCount(); i++) {
      Import wanted = section.getImport(i);
      String qualified = wanted.module() + "." + wanted.name();
      switch (wanted.importType()) {
        case FUNCTION -> {
          FunctionType type = loaded.functionImports().get(functionIndex++).type();
          hosts.add(hostFunction(wanted.module(), wanted.name(), type));
        }
        case MEMORY -> memoryLimits = ((MemoryImport) wanted).limits();
        case TABLE -> tableLimits = ((TableImport) wanted).limits();
        default -> throw unsupportedImport(qualified, wanted.importType().name());
      }
    }
    WasmModule module = loaded.module();
    if (memoryLimits == null) {
      memoryLimits =
          module
              .memorySection()
              .filter(s -> s.memoryCount() > 0)
              .map(s -> s.getMemory(0).limits())
              .orElse(null);
    }
    if (tableLimits == null && module.tableSection().tableCount() > 0) {
      tableLimits = module.tableSection().getTable(0).limits();
    }
    AsmInstance fresh;
    try {
      fresh = loaded.generated().getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw initError("Failed to instantiate Wasm module " + debugName + ": " + reason(e), e);
    }
    fresh.host = new HostCalls(hosts.toArray(new HostFunction[0]), hooks());
    if (memoryLimits != null) {
      fresh.maximumPages =
          maximumPages(
              memoryLimits.initialPages(), memoryLimits.maximumPages(), MAX_PAGES, debugName);
      fresh.memory = new byte[memoryLimits.initialPages() * PAGE_SIZE];
    }
    if (tableLimits != null) {
      if (tableLimits.min() > MAX_PAGES * (long) PAGE_SIZE) {
        throw initError(
            "Failed to load Wasm module " + debugName + ": its table is too large", null);
      }
      fresh.table = new int[(int) tableLimits.min()];
      Arrays.fill(fresh.table, -1);
    }
    instance = fresh;
    try {
      fresh.initGlobals(new long[0]);
      initializeTable(module, fresh);
      initializeMemory(module, fresh);
      if (module.startSection().isPresent()) {
        int start = (int) module.startSection().get().startIndex();
        enter();
        try {
          fresh.invoke(start, NONE);
        } finally {
          exit();
        }
      }
      linked = true;
    } catch (StackOverflowError e) {
      instance = null;
      throw initError(
          "Failed to instantiate Wasm module " + debugName + ": call stack exhausted", e);
    } catch (RuntimeException | Error e) {
      instance = null;
      throw initError("Failed to instantiate Wasm module " + debugName + ": " + reason(e), e);
    }
  }

  private HostCalls.Hooks hooks() {
    return new HostCalls.Hooks() {
      @Override
      public boolean tracing() {
        return AsmVm.this.tracing();
      }

      @Override
      public void trace(String line) {
        integration().trace(line);
      }
    };
  }

  private static int constant(List<Instruction> expression, AsmInstance instance) {
    Instruction first = expression.get(0);
    if (first.opcode() == OpCode.I32_CONST) {
      return (int) first.operand(0);
    }
    if (first.opcode() == OpCode.GLOBAL_GET) {
      try {
        Object value = instance.getClass().getField("g" + first.operand(0)).get(instance);
        return ((Number) value).intValue();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("no global " + first.operand(0), e);
      }
    }
    throw new IllegalStateException("unsupported offset expression: " + first.opcode());
  }

  private static void initializeTable(WasmModule module, AsmInstance instance) {
    for (Element element : module.elementSection().elements()) {
      if (element instanceof ActiveElement active) {
        if (active.tableIndex() != 0) {
          throw new IllegalStateException("an element segment for a second table");
        }
        int offset = constant(active.offset(), instance);
        int count = active.initializers().size();
        if (offset < 0 || (long) offset + count > instance.table.length) {
          throw new IllegalStateException("out of bounds table access");
        }
        for (int i = 0; i < count; i++) {
          List<Instruction> init = active.initializers().get(i);
          Instruction first = init.get(0);
          instance.table[offset + i] =
              switch (first.opcode()) {
                case REF_FUNC -> (int) first.operand(0);
                case REF_NULL -> -1;
                default ->
                    throw new IllegalStateException(
                        "unsupported element initializer: " + first.opcode());
              };
        }
      }
    }
  }

  private static void initializeMemory(WasmModule module, AsmInstance instance) {
    DataSegment[] segments = module.dataSection().dataSegments();
    byte[][] data = new byte[segments.length][];
    for (int i = 0; i < segments.length; i++) {
      DataSegment segment = segments[i];
      if (segment instanceof ActiveDataSegment active) {
        data[i] = new byte[0];
        byte[] bytes = active.data();
        int offset = constant(active.offsetInstructions(), instance);
        byte[] memory = instance.memory;
        if (offset < 0 || (long) offset + bytes.length > memory.length) {
          throw Trap.outOfBounds(offset, bytes.length, memory.length);
        }
        System.arraycopy(bytes, 0, memory, offset, bytes.length);
      } else if (segment instanceof PassiveDataSegment passive) {
        data[i] = passive.data();
      } else {
        data[i] = new byte[0];
      }
    }
    instance.data = data;
  }

  // ---- calls ----------------------------------------------------------------------------------

  @Override
  public Optional<WasmFunction> function(String name, FunctionType type) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    linkedInstance();
    var actual = code.functionExports().get(name);
    if (actual == null) {
      return Optional.empty();
    }
    if (toSpi(actual).filter(type::equals).isEmpty()) {
      throw badSignature(name, type, "the module", describe(actual));
    }
    int index = code.exportIndex().get(name);
    boolean results = !type.results().isEmpty();
    return Optional.of(args -> call(name, type, index, results, args == null ? NONE : args));
  }

  private long[] call(String name, FunctionType type, int index, boolean hasResult, long[] args) {
    checkCallable(name, type.params().size(), args);
    boolean trace = tracing();
    if (trace) {
      traceCall(name, type.params(), args);
    }
    long result;
    enter();
    try {
      result = instance.invoke(index, args);
    } catch (StackOverflowError e) {
      throw callFailed(name, "call stack exhausted", e);
    } catch (RuntimeException | Error e) {
      throw callFailed(name, reason(e), e);
    } finally {
      exit();
    }
    long[] results = hasResult ? new long[] {result} : NONE;
    if (trace) {
      traceReturn(name, type.results(), results);
    }
    return results;
  }

  /**
   * Stops the call in progress ({@link #terminate()}): translated code reads a flag at every
   * function entry and loop header, and traps when it is set.
   */
  @Override
  protected void interrupt(Thread running) {
    AsmInstance current = instance;
    if (current != null) {
      current.interrupt();
    }
  }

  /** Clears the flag once the stopped call has left the module. */
  @Override
  protected void clearInterrupt() {
    instance.clearInterrupt();
  }

  // ---- memory ---------------------------------------------------------------------------------

  @Override
  public Optional<LinearMemory> memory() {
    return view;
  }

  private byte[] bytes() {
    checkOpen();
    AsmInstance current = instance;
    if (current == null) {
      throw new IllegalStateException("the module is not linked");
    }
    return current.memory;
  }

  private byte[] checked(long address, long length) {
    byte[] memory = bytes();
    MemoryAccessException.checkBounds(address, length, memory.length);
    return memory;
  }

  @Override
  public long size() {
    return bytes().length;
  }

  @Override
  public void read(long address, byte[] target, int offset, int length) {
    byte[] memory = checked(address, length);
    Objects.checkFromIndexSize(offset, length, target.length);
    System.arraycopy(memory, (int) address, target, offset, length);
  }

  @Override
  public byte[] read(long address, int length) {
    byte[] memory = checked(address, length);
    return Arrays.copyOfRange(memory, (int) address, (int) address + length);
  }

  @Override
  public void write(long address, byte[] source, int offset, int length) {
    byte[] memory = checked(address, length);
    Objects.checkFromIndexSize(offset, length, source.length);
    System.arraycopy(source, offset, memory, (int) address, length);
  }

  @Override
  public int readInt(long address) {
    return (int) INT.get(checked(address, Integer.BYTES), (int) address);
  }

  @Override
  public void writeInt(long address, int value) {
    INT.set(checked(address, Integer.BYTES), (int) address, value);
  }

  @Override
  public long readLong(long address) {
    return (long) LONG.get(checked(address, Long.BYTES), (int) address);
  }

  @Override
  public void writeLong(long address, long value) {
    LONG.set(checked(address, Long.BYTES), (int) address, value);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  @Override
  public WasmVm cloneVm() {
    return new AsmVm(integration(), loaded());
  }

  @Override
  protected void release() {
    instance = null;
    code = null;
  }

  private Code loaded() {
    return loaded(code, "module");
  }

  private AsmInstance linkedInstance() {
    loaded();
    if (!linked) {
      throw new IllegalStateException("the module is not linked");
    }
    return instance;
  }

  // ---- types and values -----------------------------------------------------------------------

  static Optional<FunctionType> toSpi(com.dylibso.chicory.wasm.types.FunctionType type) {
    List<ValueType> params = toSpi(type.params());
    List<ValueType> results = toSpi(type.returns());
    return params == null || results == null || results.size() > 1
        ? Optional.empty()
        : Optional.of(new FunctionType(params, results));
  }

  private static List<ValueType> toSpi(List<ValType> types) {
    List<ValueType> out = new ArrayList<>(types.size());
    for (ValType type : types) {
      switch (type.opcode()) {
        case ValType.ID.I32 -> out.add(ValueType.I32);
        case ValType.ID.I64 -> out.add(ValueType.I64);
        case ValType.ID.F32 -> out.add(ValueType.F32);
        case ValType.ID.F64 -> out.add(ValueType.F64);
        default -> {
          return null;
        }
      }
    }
    return out;
  }

  private static String describe(com.dylibso.chicory.wasm.types.FunctionType type) {
    return toSpi(type)
        .map(FunctionType::toString)
        .orElseGet(() -> describe(type.params()) + " -> " + describe(type.returns()));
  }

  private static String describe(List<ValType> types) {
    StringJoiner joined = new StringJoiner(", ", "(", ")");
    for (ValType type : types) {
      List<ValueType> numeric = toSpi(List.of(type));
      joined.add(
          numeric != null
              ? numeric.get(0).toString()
              : type.equals(ValType.FuncRef)
                  ? "funcref"
                  : type.equals(ValType.ExternRef)
                      ? "externref"
                      : type.toString().toLowerCase(Locale.ROOT));
    }
    return joined.toString();
  }
}
